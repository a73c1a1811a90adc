"""The navigation badge: the signed-in user's unread count, nothing for visitors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from loopdesk.notifications import services

TEMPLATE = Template("{% load notifications %}{% unread_notifications_count as n %}[{{ n }}]")


def render_for(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request}))


@pytest.mark.django_db
def test_the_badge_counts_the_users_unread_notifications(agent, supervisor):
    # given two notifications for the agent and one for the supervisor
    for user in (agent, agent, supervisor):
        message = services.enqueue_notification(kind="test", recipient=user, subject="s", body="")
        services.deliver_message(message.pk)
    # then each sees their own count
    assert render_for(agent) == "[2]" and render_for(supervisor) == "[1]"
    services.mark_all_read(user=agent)
    assert render_for(agent) == "[0]"


def test_a_visitor_has_no_badge_and_costs_no_query():
    # without database access, any query would fail the test
    assert render_for(AnonymousUser()) == "[0]"
    assert Template("{% load notifications %}{% unread_notifications_count as n %}[{{ n }}]").render(Context()) == "[0]"
