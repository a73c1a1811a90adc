"""Files and HTML of inbound mail: stored safely, refused files noted, HTML shown sanitised in a sandbox."""

from email.message import EmailMessage

import pytest
from django.utils.translation import gettext as _

from loopdesk.mail.services import process_message, store_raw
from loopdesk.mail.tests.conftest import corpus
from loopdesk.tickets.models import TicketEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def html_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "王芳 <wangfang@example.cn>"
    message["To"] = "support@loopdesk.test"
    message["Subject"] = "冰箱不制冷"
    message["Message-ID"] = "<h1@example.cn>"
    message.set_content("冰箱不制冷，见附图。")
    message.add_alternative(
        '<p onclick="steal()">冰箱<b>不制冷</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/pixel.gif"><img src="cid:photo1">',
        subtype="html",
    )
    message.get_payload()[1].add_related(PNG, "image", "png", cid="<photo1>", filename="冰箱.png")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="fix.exe")
    return message.as_bytes()


@pytest.fixture
def ticket(db):
    message, _created = store_raw(html_mail())
    return process_message(message.pk).ticket


@pytest.mark.django_db
def test_files_are_kept_and_refused_ones_are_listed_in_a_note(ticket):
    assert [(a.name, a.content_type, a.content_id) for a in ticket.attachments.all()] == [
        ("冰箱.png", "image/png", "photo1")
    ]
    note = ticket.events.get(kind=TicketEvent.Kind.NOTE_ADDED)
    assert "fix.exe" in note.body and not note.is_public
    assert ticket.attachments.get().event.kind == TicketEvent.Kind.CREATED


@pytest.mark.django_db
def test_the_html_is_shown_sanitised_in_a_sandbox(client, supervisor, ticket):
    client.force_login(supervisor)
    page = client.get(f"/tickets/{ticket.number}").content.decode()
    message = ticket.inbound_messages.get()
    assert f'src="/tickets/{ticket.number}/mail/{message.pk}/html"' in page and "<iframe sandbox" in page
    assert "冰箱.png" in page
    response = client.get(f"/tickets/{ticket.number}/mail/{message.pk}/html")
    html = response.content.decode()
    assert "<b>不制冷</b>" in html
    assert "<script" not in html and "onclick" not in html and "tracker.example" not in html
    photo = ticket.attachments.get()
    assert f"/tickets/{ticket.number}/files/{photo.pk}?inline=1" in html
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_the_html_of_another_tickets_mail_is_not_found(client, supervisor, ticket, walk_ticket):
    other = walk_ticket("new")
    client.force_login(supervisor)
    message = ticket.inbound_messages.get()
    assert client.get(f"/tickets/{other.number}/mail/{message.pk}/html").status_code == 404


@pytest.mark.django_db
def test_a_message_without_a_valid_sender_waits_in_quarantine():
    message, _created = store_raw(corpus("attachments/flanker__attached-pdf.eml"))
    message = process_message(message.pk)
    assert message.state == "quarantined" and message.error == _("No single valid sender address.")
    assert message.ticket is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("attachments/enmime__inlinemultipart.raw.eml", "application/pdf"),
        ("attachments/mikelmail__attachment_with_quoted_filename.eml", "image/jpeg"),
        ("attachments/nodemailer__nodemailer.eml", "image/gif"),
    ],
)
def test_corpus_attachments_are_kept(name, expected):
    message, _created = store_raw(corpus(name))
    ticket = process_message(message.pk).ticket
    assert expected in [a.content_type for a in ticket.attachments.all()]
