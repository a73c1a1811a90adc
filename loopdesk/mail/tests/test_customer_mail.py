"""The customer is emailed at the SOP's moments from editable templates, each an outbox row and a timeline event."""

import pytest

from loopdesk.core.errors import ValidationFailed
from loopdesk.mail.admin import EmailTemplateForm
from loopdesk.mail.customer_mail import email_customer
from loopdesk.mail.models import EmailTemplate
from loopdesk.mail.services import process_message, store_raw
from loopdesk.mail.tests.conftest import mail
from loopdesk.notifications.models import OutboxMessage
from loopdesk.tickets import services as ticket_services
from loopdesk.tickets.models import TicketEvent


@pytest.fixture(autouse=True)
def customer_email_on(settings):
    settings.LOOPDESK_CUSTOMER_EMAIL = True


def emails(ticket):
    return list(OutboxMessage.objects.filter(ticket=ticket, channel="email").order_by("id"))


def by_email(raw=None):
    message, _ = store_raw(raw or mail(message_id="<cm1@example.cn>"))
    return process_message(message.pk).ticket


@pytest.mark.django_db
def test_registration_is_acknowledged_by_email_and_shown_on_the_timeline():
    ticket = by_email()
    (sent,) = emails(ticket)
    assert sent.kind == "customer.received" and sent.payload["to"] == "wangfang@example.cn"
    assert sent.subject == f"我们已收到您的反馈：洗衣机不脱水 [{ticket.number}]"
    assert ticket.number in sent.body and "王芳" in sent.body and sent.payload["auto"] is True
    assert sent.payload["in_reply_to"] == "cm1@example.cn"
    event = ticket.events.get(kind=TicketEvent.Kind.CUSTOMER_EMAILED)
    assert event.data["template"] == "received" and event.data["to"] != "wangfang@example.cn"  # masked


@pytest.mark.django_db
def test_an_english_writer_gets_english():
    ticket = by_email(mail("Dryer does not heat", "It stays cold.", sender="Tom <tom@example.com>"))
    assert emails(ticket)[0].subject.startswith("We have received your request: Dryer does not heat")


@pytest.mark.django_db
def test_an_agent_reply_quotes_the_customers_last_message_and_a_note_sends_nothing(agent):
    ticket = by_email()
    reply = mail(
        "Re: 洗衣机不脱水", "排水管我看过了，没有堵", message_id="<cm2@example.cn>", in_reply_to="<cm1@example.cn>"
    )
    process_message(store_raw(reply)[0].pk)
    ticket_services.add_reply(ticket, body="请把电源拔掉十分钟再试。", actor=agent, is_public=False)
    ticket_services.add_reply(ticket, body="请检查进水阀。", actor=agent, is_public=True)
    sent = emails(ticket)[-1]
    assert [m.kind for m in emails(ticket)] == ["customer.received", "customer.reply"]
    assert sent.body.startswith("请检查进水阀。") and "> 排水管我看过了，没有堵" in sent.body
    assert "王芳 写道" in sent.body and "拔掉" not in sent.body
    assert sent.payload["in_reply_to"] == "cm2@example.cn" and sent.payload["auto"] is False


@pytest.mark.django_db
def test_the_resolution_email_names_the_cause_and_the_fix(walk_ticket):
    ticket = walk_ticket("in_progress")
    ticket.customer.email = "li@example.cn"
    ticket.customer.save()
    ticket_services.transition_ticket(
        ticket, to="resolved", actor=ticket.owner, root_cause="排水泵堵塞", solution="清理排水泵", result="fully"
    )
    sent = emails(ticket)[-1]
    assert sent.kind == "customer.resolved" and "排水泵堵塞" in sent.body and "清理排水泵" in sent.body


@pytest.mark.django_db
def test_bulk_mail_gets_no_automatic_answer():
    ticket = by_email(mail(headers={"Precedence": "bulk"}))
    assert emails(ticket) == []


@pytest.mark.django_db
def test_a_switched_off_moment_sends_nothing():
    EmailTemplate.objects.filter(kind="received").update(is_active=False)
    assert emails(by_email()) == []


@pytest.mark.django_db
def test_nothing_is_emailed_until_an_outgoing_server_is_configured(settings):
    settings.LOOPDESK_CUSTOMER_EMAIL = False
    ticket = by_email()
    assert emails(ticket) == [] and not ticket.events.filter(kind=TicketEvent.Kind.CUSTOMER_EMAILED).exists()


@pytest.mark.django_db
def test_a_broken_template_is_refused_and_one_saved_earlier_falls_back_to_the_default():
    template = EmailTemplate.objects.get(kind="received")
    form = EmailTemplateForm(
        {"is_active": True, "subject_zh": "{% if %}", "body_zh": "x", "subject_en": "y", "body_en": "z"},
        instance=template,
    )
    assert not form.is_valid() and "subject_zh" in form.errors
    EmailTemplate.objects.filter(pk=template.pk).update(subject_zh="{% if %}")
    ticket = by_email()
    assert emails(ticket)[0].subject.startswith("我们已收到您的反馈")


@pytest.mark.django_db
def test_a_title_with_a_line_break_still_makes_a_one_line_subject():
    ticket = by_email(mail("第一行", message_id="<cm9@example.cn>"))
    ticket.title = "第一行\r\nBcc: x@evil.example"
    ticket.save()
    email_customer(ticket, "received", ticket.events.filter(kind="created").first())
    assert "\n" not in emails(ticket)[-1].subject and "\r" not in emails(ticket)[-1].subject


@pytest.mark.django_db
def test_a_proposed_plan_asks_the_customer_to_confirm(agent, client):
    ticket = by_email()
    client.force_login(agent)
    page = client.post(
        f"/tickets/{ticket.number}/reply",
        {"body": "建议更换排水泵，费用由保修承担。", "is_public": "1", "proposes_plan": "on"},
    )
    assert page.status_code == 302
    sent = emails(ticket)[-1]
    assert sent.kind == "customer.plan" and sent.subject.startswith("请确认处理方案")
    assert "建议更换排水泵" in sent.body and "确认" in sent.body
    assert ticket.events.get(kind=TicketEvent.Kind.REPLIED).data == {"plan": True}


@pytest.mark.django_db
def test_a_plan_cannot_be_an_internal_note(agent):
    ticket = by_email()
    with pytest.raises(ValidationFailed):
        ticket_services.add_reply(ticket, body="x", actor=agent, is_public=False, proposes_plan=True)
