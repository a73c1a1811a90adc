"""The customer's ticket page: plain status, public timeline only, replies with files, plan confirmation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from loopdesk.attachments.models import Attachment
from loopdesk.portal import services
from loopdesk.portal.tests.conftest import open_ticket_page
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import TicketEvent


@pytest.fixture
def handled(walk_ticket, customer, engineer):
    """A ticket in progress with the engineer's internal note and a public reply."""
    ticket = walk_ticket("in_progress", customer=customer)
    ticket_services.add_reply(ticket, body="内部：怀疑批次质量问题", actor=engineer, is_public=False)
    ticket_services.add_reply(ticket, body="请您拍一张门锁背面的照片", actor=engineer, is_public=True)
    return ticket


@pytest.mark.django_db
def test_the_page_shows_plain_status_and_public_replies_never_notes_or_names(client, handled, engineer):
    token = services.issue_access_link(handled)
    response = open_ticket_page(client, token)
    body = response.content.decode()
    assert response.status_code == 200
    assert "We are working on it." in body or "正在处理" in body
    assert "请您拍一张门锁背面的照片" in body
    assert "内部" not in body and "怀疑批次质量问题" not in body
    assert str(engineer) not in body and engineer.username not in body
    assert handled.owner_department.label in body  # the owner only as the department
    assert handled.customer.phone not in body


@pytest.mark.django_db
def test_the_page_reads_with_a_fixed_number_of_queries(client, handled, engineer, django_assert_max_num_queries):
    for i in range(10):
        ticket_services.add_reply(handled, body=f"更新 {i}", actor=engineer, is_public=True)
    open_ticket_page(client, services.issue_access_link(handled))
    with django_assert_max_num_queries(14):
        assert client.get(f"/portal/tickets/{handled.number}").status_code == 200


@pytest.mark.django_db
def test_a_reply_with_a_file_goes_on_the_timeline(client, handled):
    open_ticket_page(client, services.issue_access_link(handled))
    photo = SimpleUploadedFile("back.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    response = client.post(f"/portal/tickets/{handled.number}/reply", {"body": "照片已附上", "attachments": [photo]})
    assert response.status_code == 302
    event = handled.events.get(kind=TicketEvent.Kind.CUSTOMER_REPLIED)
    assert event.data["via"] == "portal" and event.body == "照片已附上" and event.is_public
    assert Attachment.objects.get(event=event).name == "back.png"
    page = client.get(f"/portal/tickets/{handled.number}").content.decode()
    assert "照片已附上" in page and "back.png" in page
    download = client.get(f"/portal/tickets/{handled.number}/files/{Attachment.objects.get().pk}")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_a_refused_reply_file_keeps_the_text(client, handled):
    open_ticket_page(client, services.issue_access_link(handled))
    bad = SimpleUploadedFile("run.bat", b"echo hi")
    response = client.post(f"/portal/tickets/{handled.number}/reply", {"body": "看附件", "attachments": [bad]})
    body = response.content.decode()
    assert response.status_code == 400 and "run.bat" in body and "看附件" in body
    assert not handled.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).exists()


@pytest.mark.django_db
def test_the_customer_confirms_the_proposed_plan_once(client, handled, engineer):
    plan = ticket_services.add_reply(
        handled, body="方案：上门更换指纹模组", actor=engineer, is_public=True, proposes_plan=True
    )
    open_ticket_page(client, services.issue_access_link(handled))
    page = client.get(f"/portal/tickets/{handled.number}").content.decode()
    assert 'data-testid="plan"' in page and "上门更换指纹模组" in page
    assert client.post(f"/portal/tickets/{handled.number}/plan", {"plan": plan.pk}).status_code == 302
    confirmed = handled.events.get(kind=TicketEvent.Kind.CUSTOMER_REPLIED)
    assert confirmed.data["plan_confirmed"] == plan.pk and confirmed.data["via"] == "portal"
    page = client.get(f"/portal/tickets/{handled.number}").content.decode()
    assert 'data-testid="plan"' not in page
    client.post(f"/portal/tickets/{handled.number}/plan", {"plan": plan.pk})  # twice: nothing more
    assert handled.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).count() == 1


@pytest.mark.django_db
def test_a_plan_is_no_longer_offered_after_a_newer_reply(client, handled, engineer):
    plan = ticket_services.add_reply(handled, body="方案A", actor=engineer, is_public=True, proposes_plan=True)
    ticket_services.add_reply(handled, body="方案A作废，稍后给新方案", actor=engineer, is_public=True)
    open_ticket_page(client, services.issue_access_link(handled))
    client.post(f"/portal/tickets/{handled.number}/plan", {"plan": plan.pk})
    assert not handled.events.filter(kind=TicketEvent.Kind.CUSTOMER_REPLIED).exists()


@pytest.mark.django_db
def test_a_closed_ticket_takes_no_reply_and_offers_a_new_report(client, walk_ticket, customer):
    ticket = walk_ticket("closed", customer=customer)
    open_ticket_page(client, services.issue_access_link(ticket))
    page = client.get(f"/portal/tickets/{ticket.number}").content.decode()
    assert 'data-testid="reply-form"' not in page and 'href="/portal/"' in page
    response = client.post(f"/portal/tickets/{ticket.number}/reply", {"body": "还有问题"})
    assert response.status_code == 409


@pytest.mark.django_db
@override_settings(LOOPDESK_PORTAL_LIMITS={"reply_ip": (1, 3600)})
def test_replies_are_rate_limited(client, handled):
    open_ticket_page(client, services.issue_access_link(handled))
    assert client.post(f"/portal/tickets/{handled.number}/reply", {"body": "一"}).status_code == 302
    assert client.post(f"/portal/tickets/{handled.number}/reply", {"body": "二"}).status_code == 429
