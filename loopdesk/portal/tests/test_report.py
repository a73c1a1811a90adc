"""The public report form: a web ticket with a private link; bad input keeps what was typed; one ticket per form."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from loopdesk.attachments.checks import MAX_FILE_BYTES
from loopdesk.attachments.models import Attachment
from loopdesk.notifications.models import OutboxMessage
from loopdesk.tickets.models import Ticket, TicketEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def form_key(client) -> str:
    page = client.get("/portal/").content.decode()
    return re.search(r'name="form_key" value="([^"]+)"', page).group(1)


def fields(client, **extra):
    return {
        "form_key": form_key(client),
        "name": "王小明",
        "phone": "139 0000 1234",
        "email": "xm@example.com",
        "product": "智能门锁",
        "model": "X1",
        "serial_no": "SN-778899",
        "order_no": "DD20260101",
        "description": "指纹识别失败\n多次尝试后锁死",
        "occurred_at": "2026-11-30T09:30",
        "customer_tried": "重启过，没用",
        "demand": "repair",
    } | extra


@pytest.mark.django_db
def test_the_form_page_is_public_and_mobile_ready(client):
    response = client.get("/portal/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in body and "portal/portal.css" in body and 'name="language"' in body
    assert all(f'name="{n}"' in body for n in ("name", "phone", "email", "serial_no", "order_no", "demand"))
    assert "<script>" not in body  # no inline script under the strict CSP


@pytest.mark.django_db
def test_a_report_becomes_a_web_ticket_with_a_private_link_and_an_email(client):
    data = fields(client) | {"attachments": [SimpleUploadedFile("photo.png", PNG)]}
    response = client.post("/portal/", data)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="received"' in body
    ticket = Ticket.objects.get()
    assert ticket.number in body
    token = re.search(r"/portal/t/([A-Za-z0-9_-]{43})", body).group(1)
    assert response["Cache-Control"] == "no-store"
    assert ticket.channel == "web" and ticket.created_by is None
    assert ticket.demand == "repair" and ticket.customer_tried == "重启过，没用"
    assert ticket.occurred_at is not None and ticket.title == "指纹识别失败"
    assert ticket.asset.serial_no == "SN-778899" and "DD20260101" in ticket.description
    assert ticket.customer.phone == "13900001234" and ticket.customer.email == "xm@example.com"
    assert ticket.events.filter(kind=TicketEvent.Kind.CREATED).exists()
    assert Attachment.objects.get(ticket=ticket).name == "photo.png"
    email = OutboxMessage.objects.get(kind="portal.access_link")
    assert email.payload["to"] == "xm@example.com" and token in email.body and ticket.number in email.subject


@pytest.mark.django_db
def test_missing_fields_re_show_the_form_with_everything_typed(client):
    response = client.post("/portal/", fields(client, name="", phone="", email="", description=""))
    body = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert body.count('class="error"') == 4  # name, phone, email, what happened: each said once
    for kept in ("智能门锁", "SN-778899", "DD20260101", "重启过，没用", "2026-11-30T09:30"):
        assert kept in body
    assert 'value="repair" selected' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("big.pdf", b"%PDF-1.4" + b"0" * MAX_FILE_BYTES, "25 MB"),
        ("invoice.pdf.exe", b"MZ" + b"\0" * 100, "invoice.pdf.exe"),
        ("page.html", b"<html><script>alert(1)</script>", "page.html"),
        ("fake.png", b"not an image at all", "fake.png"),
    ],
)
def test_refused_uploads_name_the_file_and_the_limit_and_keep_the_rest(client, name, content, says):
    data = fields(client) | {"attachments": [SimpleUploadedFile(name, content)]}
    response = client.post("/portal/", data)
    body = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists() and not Attachment.objects.exists()
    assert says in body and "王小明" in body and "SN-778899" in body
    assert "choose them again" in body or "重新选择" in body


@pytest.mark.django_db
def test_a_double_submit_makes_one_ticket(client):
    data = fields(client)
    first = client.post("/portal/", data)
    second = client.post("/portal/", data)
    assert first.status_code == second.status_code == 200
    assert Ticket.objects.count() == 1
    number = Ticket.objects.get().number
    assert number in first.content.decode() and number in second.content.decode()
    assert OutboxMessage.objects.filter(kind="portal.access_link").count() == 1


@pytest.mark.django_db
def test_an_altered_form_key_is_refused_with_the_values_kept(client):
    response = client.post("/portal/", fields(client, form_key="forged"))
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "SN-778899" in response.content.decode()


@pytest.mark.django_db
@override_settings(LOOPDESK_PORTAL_LIMITS={"report_ip": (2, 3600)})
def test_ticket_creation_is_rate_limited_per_address(client):
    for _ in range(2):
        assert client.post("/portal/", fields(client)).status_code == 200
    response = client.post("/portal/", fields(client))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "SN-778899" in response.content.decode()  # the form comes back with the input
    assert Ticket.objects.count() == 2
    assert client.post("/portal/", fields(client), REMOTE_ADDR="10.7.7.7").status_code == 200


@pytest.mark.django_db
def test_the_form_speaks_english_after_the_switch(client):
    assert '<html lang="zh-hans">' in client.get("/portal/").content.decode()  # Chinese first
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert '<html lang="en">' in client.get("/portal/").content.decode()
