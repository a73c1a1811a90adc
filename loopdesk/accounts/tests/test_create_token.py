"""`manage.py create_token` prints a working token once, stores only its hash and audits the issue."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from loopdesk.accounts.models import ApiToken, hash_token
from loopdesk.audit.models import AuditEntry


def create_token(*args) -> str:
    out = StringIO()
    call_command("create_token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_prints_a_token_whose_hash_is_stored(agent):
    # when
    raw = create_token("agent", "--name", "erp-sync")

    # then
    token = ApiToken.objects.get(user=agent)
    assert token.name == "erp-sync"
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert raw.startswith(token.prefix)


@pytest.mark.django_db
def test_the_printed_token_authenticates(agent, client):
    raw = create_token("agent")

    response = client.get("/api/v1/categories", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200


@pytest.mark.django_db
def test_issue_is_audited_without_the_token(agent):
    raw = create_token("agent")

    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_CREATED)
    token = ApiToken.objects.get(user=agent)
    assert entry.object_id == str(token.pk) and "agent" in entry.reason
    assert raw not in f"{entry.reason}{entry.object_id}{entry.field}"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["nobody", "inactive"])
def test_unknown_or_inactive_user_is_refused(username):
    from loopdesk.testing.factories import UserFactory

    UserFactory(username="inactive", is_active=False)

    with pytest.raises(CommandError):
        create_token(username)

    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_CREATED).exists()
