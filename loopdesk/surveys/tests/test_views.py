"""The public survey page and the callback pages, through the test client."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loopdesk.audit.models import AuditEntry
from loopdesk.core import rate_limits
from loopdesk.core.models import RateHit
from loopdesk.core.tokens import new_token
from loopdesk.surveys.models import CallbackTask, SurveyInvitation
from loopdesk.surveys.tests.conftest import survey_path
from loopdesk.tickets.models import Satisfaction, Ticket

pytestmark = pytest.mark.django_db
ANSWER = {"solved": "yes", "score": "5", "timeliness": "4", "attitude": "5", "effectiveness": "5", "comment": "好"}


def assert_private(response):
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def assert_invalid(response):
    assert response.status_code == 404
    assert_private(response)
    assert "This link is no longer valid" in response.content.decode() or "链接已失效" in response.content.decode()


def test_the_survey_page_asks_the_sops_questions(client, notified):
    response = client.get(survey_path(notified), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert_private(response)
    page = response.content.decode()
    for name in ("solved", "score", "timeliness", "attitude", "effectiveness", "comment"):
        assert f'name="{name}"' in page
    assert "Very satisfied" in page and notified.number in page


def test_submitting_closes_the_ticket_and_a_second_submission_is_told(client, notified):
    path = survey_path(notified)
    response = client.post(path, ANSWER | {"comment": "<script>alert(1)</script>"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert_private(response)
    assert Ticket.objects.get(pk=notified.pk).status == "closed"
    assert Satisfaction.objects.get(ticket=notified).comment == "<script>alert(1)</script>"
    again = client.post(path, ANSWER | {"score": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and "already been answered" in again.content.decode()
    assert Satisfaction.objects.filter(ticket=notified).count() == 1
    assert_invalid(client.get(path, HTTP_ACCEPT_LANGUAGE="en"))  # the used link is no longer valid


def test_bad_input_keeps_what_the_customer_entered(client, notified):
    response = client.post(
        survey_path(notified),
        {"solved": "no", "score": "9", "attitude": "4", "comment": "等了三天"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "等了三天" in page
        and 'value="no" checked' in page.replace("required ", "").replace("  ", " ")
        or "checked" in page
    )
    assert 'value="4"' in page and response.context["form"].errors["score"]
    assert response.context["form"].data["attitude"] == "4"
    assert Ticket.objects.get(pk=notified.pk).status == "notified"
    too_long = client.post(survey_path(notified), ANSWER | {"comment": "长" * 1001})
    assert too_long.status_code == 400 and too_long.context["form"].errors["comment"]


def test_the_comment_is_rendered_escaped_and_the_ticket_page_shows_the_outcome(client, notified, supervisor):
    client.post(survey_path(notified), ANSWER | {"comment": "<b>粗体</b>"})
    client.force_login(supervisor)
    page = client.get(reverse("tickets:detail", args=[notified.number]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page and "<b>粗体</b>" not in page
    assert 'data-testid="ticket-survey"' in page and "Customer confirmed" in page


def test_expired_altered_and_unknown_links_get_the_same_404(client, notified, monkeypatch):
    # one counted attempt in 200 prunes old rows; 31 days on, that would delete the first three hits at random
    monkeypatch.setattr(rate_limits, "PRUNE_ONE_IN", 10**12)
    path = survey_path(notified)
    altered = path[:-1] + ("A" if path[-1] != "A" else "B")
    assert_invalid(client.get(altered))
    assert_invalid(client.get("/s/" + new_token()))  # unknown
    assert_invalid(client.get("/s/short"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert_invalid(client.get(path))  # expired
        assert_invalid(client.post(path, ANSWER))
    pages = {client.get(p).content for p in (altered, "/s/" + new_token(), "/s/short")}
    assert len(pages) == 1  # the same plain page whatever the reason
    assert RateHit.objects.filter(scope="bad_token_ip").count() == 8


def test_every_bad_link_costs_the_same_queries(client, notified, monkeypatch):
    monkeypatch.setattr(rate_limits, "PRUNE_ONE_IN", 10**12)  # a random prune would add its DELETE to one request
    path = survey_path(notified)
    client.post(path, ANSWER)  # now used
    bad = [path, "/s/" + new_token(), path[:-1] + ("A" if path[-1] != "A" else "B"), "/s/x"]
    counts = []
    for url in bad:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 404
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)), CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 404
    assert len(queries) == counts[0]


def test_a_link_of_an_earlier_cycle_is_no_longer_valid(client, notified):
    path = survey_path(notified)
    client.post(path, ANSWER | {"score": "1", "solved": "no"})
    assert Ticket.objects.get(pk=notified.pk).reopen_count == 1
    assert_invalid(client.get(path))


def test_a_cycle_answered_by_an_agent_uses_up_the_survey_link(client, notified, agent):
    from loopdesk.tickets.services import record_satisfaction

    record_satisfaction(notified, actor=agent, score=4)  # an agent took the verdict on the phone
    assert SurveyInvitation.objects.get(ticket=notified).used_at is not None
    assert_invalid(client.get(survey_path(notified)))
    answered = client.post(survey_path(notified), ANSWER, HTTP_ACCEPT_LANGUAGE="en")
    assert answered.status_code == 200 and "already been answered" in answered.content.decode()
    assert Satisfaction.objects.filter(ticket=notified).count() == 1


def test_a_callback_verdict_uses_up_the_survey_link(client, notified):
    from loopdesk.surveys.services import record_customer_verdict

    record_customer_verdict(notified, solved=True, score=4, via="callback")
    assert SurveyInvitation.objects.get(ticket=notified).used_at is not None
    assert_invalid(client.get(survey_path(notified)))
    answered = client.post(survey_path(notified), ANSWER, HTTP_ACCEPT_LANGUAGE="en")
    assert answered.status_code == 200 and "already been answered" in answered.content.decode()


def test_ten_bad_tokens_from_one_address_are_refused_with_retry_after(client, notified):
    for _ in range(10):
        assert client.get("/s/" + new_token()).status_code == 404
    response = client.get(survey_path(notified))  # even a good link waits
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 600
    assert_private(response)
    other = client.get(survey_path(notified), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert client.get(survey_path(notified)).status_code == 200


def test_the_language_links_switch_the_page_and_remember_the_choice(client, notified):
    path = survey_path(notified)
    english = client.get(path + "?lang=en")
    assert "Very satisfied" in english.content.decode() and english.cookies["django_language"].value == "en"
    assert 'href="?lang=zh-hans"' in english.content.decode()
    assert client.get(path).wsgi_request.LANGUAGE_CODE == "en"


def test_the_survey_post_needs_no_csrf_cookie_but_the_token(notified):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True, HTTP_ORIGIN="null")  # what a no-referrer page's form sends
    assert strict.post(survey_path(notified), ANSWER).status_code == 200
    assert Ticket.objects.get(pk=notified.pk).status == "closed"
    assert strict.post("/s/" + new_token(), ANSWER).status_code == 404


def test_the_token_is_never_logged(client, notified, caplog):
    path = survey_path(notified)
    with caplog.at_level("DEBUG"):
        client.get(path[:-2] + "zz")
        client.get(path)
    assert path[3:] not in caplog.text and path[3:-2] not in caplog.text


# --- callback pages ---------------------------------------------------------------------------------


@pytest.fixture
def callback_task(walk_ticket):
    ticket = walk_ticket("resolved")
    return CallbackTask.objects.get(ticket=ticket)


def test_the_callback_queue_lists_my_tasks_by_due_time(client, agent, walk_ticket, django_assert_max_num_queries):
    tickets = [walk_ticket("resolved") for _ in range(3)]
    client.force_login(agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:callback_queue"))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(t.number) for t in tickets]
    assert positions == sorted(positions)
    assert "13900001111" not in page and "139****1111" in page


def test_the_callback_page_masks_the_phone_and_reveals_it_to_the_assignee(client, agent, supervisor, callback_task):
    url = reverse("surveys:callback", args=[callback_task.pk])
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "13900001111" not in page and "reveal-phone" not in page
    refused = client.post(reverse("surveys:callback_reveal", args=[callback_task.pk]), {"reason": "看看"})
    assert refused.status_code == 403
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "13900001111" not in page and "reveal-phone" in page
    shown = client.post(reverse("surveys:callback_reveal", args=[callback_task.pk]), {"reason": "回访"})
    assert shown.status_code == 200 and "13900001111" in shown.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PII_REVEALED, actor=agent, field="phone").count() == 1


def test_other_agents_cannot_open_a_callback(client, callback_task):
    from loopdesk.testing.factories import UserFactory

    client.force_login(UserFactory(username="agent9", role="agent"))
    assert client.get(reverse("surveys:callback", args=[callback_task.pk])).status_code == 404


def test_recording_an_attempt_and_the_answers(client, agent, callback_task):
    client.force_login(agent)
    bad = client.post(
        reverse("surveys:callback_attempt", args=[callback_task.pk]), {"outcome": "call_later", "note": "稍后"}
    )
    assert bad.status_code == 400 and "稍后" in bad.content.decode()
    ok = client.post(reverse("surveys:callback_attempt", args=[callback_task.pk]), {"outcome": "no_answer"})
    assert ok.status_code == 302 and callback_task.attempts.count() == 1
    missing = client.post(
        reverse("surveys:callback_answer", args=[callback_task.pk]), {"solved": "no", "comment": "没修好"}
    )
    assert missing.status_code == 400 and "没修好" in missing.content.decode()
    done = client.post(reverse("surveys:callback_answer", args=[callback_task.pk]), ANSWER | {"score": "1"})
    assert done.status_code == 302
    assert Ticket.objects.get(pk=callback_task.ticket_id).reopen_count == 1
