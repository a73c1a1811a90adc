"""Every page of the agent UI needs a login: generated from the URL configuration so none is missed."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"login", "logout", "healthz", "hello", "set_language"}
PUBLIC |= {
    "portal_report",
    "portal_embed",
    "portal_access",
    "portal_signin",
    "portal_signin_use",
    "portal_lost",
    "portal_my",
    "portal_ticket",
    "portal_reply",
    "portal_confirm_plan",
    "portal_verdict",
    "portal_file",
}  # noqa: E501
PUBLIC |= {"answer"}  # surveys: the survey link /s/<token> (checked in loopdesk/surveys/tests)
SAMPLE_ARGS = {"number": "P20240315001", "to": "triaged", "field": "phone", "public_id": "C2024031501", "pk": 1}
UUID_PK = {"attachments:download"}  # these take a UUID as pk


def named_patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api-v1"}:
                continue  # the admin has its own login; the API answers 401 (tested in loopdesk/api)
            yield from named_patterns(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in PUBLIC:
            yield namespace + pattern.name, list(pattern.pattern.regex.groupindex)


UI_URLS = sorted(set((name, tuple(args)) for name, args in named_patterns(get_resolver())))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), UI_URLS)
def test_anonymous_users_are_sent_to_login(client, name, args):
    sample = SAMPLE_ARGS | ({"pk": "00000000-0000-4000-8000-000000000001"} if name in UUID_PK else {})
    url = reverse(name, kwargs={a: sample[a] for a in args})
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in {302, 405}, (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))


def test_the_ui_has_pages_to_check():
    assert len(UI_URLS) >= 10
