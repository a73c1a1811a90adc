"""The ticket page's timeline rows, built in Python: every shape of event, escaped, in both languages."""

import datetime as dt

import pytest
from django.utils import translation

from loopdesk.accounts.models import User
from loopdesk.tickets.models import TicketEvent
from loopdesk.tickets.templatetags.tickets import timeline_item

AT = dt.datetime(2026, 3, 15, 1, 30, tzinfo=dt.UTC)  # 09:30 in Asia/Shanghai


def row(kind, language="en", **fields):
    with translation.override(language):
        return str(timeline_item(TicketEvent(kind=kind, created_at=AT, **fields)))


def test_a_note_is_marked_internal_and_its_body_escaped():
    html = row("note_added", body="<script>alert(1)</script>", actor=User(username="li", first_name="Li"))
    assert html.startswith('<li class="event event-note_added internal">')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "2026-03-15 09:30" in html and '<span class="tag">Internal</span>' in html


def test_a_status_change_by_the_system_shows_both_statuses():
    html = row("resolved", from_status="in_progress", to_status="resolved")
    assert '<span class="muted">' in html and "→" in html and " · System · " in html


def test_a_public_reply_with_a_plan_and_the_data_rows():
    html = row(
        "replied",
        is_public=True,
        body="方案如下",
        data={"plan": True, "owner": "王<工>", "score": 4, "priority": {"from": "P3", "to": "P1"}},
    )
    assert 'class="event event-replied public"' in html and '<span class="tag public">To customer</span>' in html
    assert "Plan to confirm" in html and "王&lt;工&gt;" in html and "Score: 4/5" in html and "P3 → P1" in html


def test_an_sla_row_names_the_milestone_and_who_was_told():
    html = row("sla_warning", data={"milestone": "resolution", "notified": ["supervisor", "<b>x</b>"]})
    assert "Milestone:" in html and "supervisor, &lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize("data", [None, [], "text"])
def test_data_that_is_not_an_object_is_ignored(data):
    assert row("created", data=data).startswith('<li class="event event-created">')


def test_labels_follow_the_language():
    html = row("note_added", "zh-hans", body="x")
    assert "内部" in html and "Internal" not in html
