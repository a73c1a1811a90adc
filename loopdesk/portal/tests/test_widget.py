"""The embeddable widget: the iframe page framed only by allowed origins, and the report API with key and CORS."""

from __future__ import annotations

import base64
import json

import pytest

from loopdesk.attachments.models import Attachment
from loopdesk.portal.models import PortalSubmission, WidgetSite
from loopdesk.tickets.models import Ticket

SHOP = "https://shop.example.com"
URL = "/api/v1/portal/reports"


@pytest.fixture
def site(db):
    return WidgetSite.objects.create(name="官方商城", allowed_origins=f"{SHOP}\nhttps://app.example.com")


def post(client, site_key, body, origin=SHOP, **headers):
    extra = {"HTTP_X_LOOPDESK_SITE_KEY": site_key} if site_key else {}
    if origin:
        extra["HTTP_ORIGIN"] = origin
    return client.post(URL, json.dumps(body), content_type="application/json", **extra, **headers)


REPORT = {"name": "赵六", "email": "zl@example.com", "description": "订单未发货", "order_no": "DD1", "demand": "refund"}


def test_the_embed_page_may_be_framed_only_by_the_sites_origins(client, site):
    response = client.get(f"/portal/embed/{site.public_key}")
    assert response.status_code == 200 and 'data-testid="report-form"' in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert f"frame-ancestors {SHOP} https://app.example.com" in csp and "'none'" not in csp.split("frame-ancestors")[1]
    assert "X-Frame-Options" not in response
    assert "frame-ancestors 'none'" in client.get("/portal/")["Content-Security-Policy"]


def test_an_unknown_or_inactive_site_key_is_refused(client, site):
    assert client.get("/portal/embed/ws_nope").status_code == 404
    site.is_active = False
    site.save()
    response = client.get(f"/portal/embed/{site.public_key}")
    assert response.status_code == 404 and "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_embed_form_creates_a_ticket_without_a_cookie(site):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/portal/embed/{site.public_key}?lang=en").content.decode()
    key = page.split('name="form_key" value="')[1].split('"')[0]
    response = client.post(
        f"/portal/embed/{site.public_key}?lang=en",
        {"form_key": key, "name": "Ann", "email": "ann@example.com", "description": "Broken hinge"},
    )
    assert response.status_code == 200 and 'target="_blank"' in response.content.decode()
    assert PortalSubmission.objects.get().site == site and Ticket.objects.get().channel == "web"


def test_the_api_creates_a_ticket_and_allows_only_the_sites_origin(client, site):
    response = post(client, site.public_key, REPORT)
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert "/portal/t/" in body["access_url"] and ticket.demand == "refund"
    assert response["Access-Control-Allow-Origin"] == SHOP and "Access-Control-Allow-Credentials" not in response


def test_the_api_takes_multipart_with_files(client, site):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        URL, REPORT | {"attachments": [SimpleUploadedFile("a.png", png)]}, HTTP_X_LOOPDESK_SITE_KEY=site.public_key
    )
    assert response.status_code == 201 and Attachment.objects.get().name == "a.png"


@pytest.mark.parametrize(
    ("key", "origin", "status", "code"),
    [
        (None, SHOP, 401, "unknown_site_key"),
        ("ws_unknown", SHOP, 401, "unknown_site_key"),
        ("site", "https://evil.example", 403, "origin_not_allowed"),
    ],
)
def test_unknown_keys_and_foreign_origins_are_refused_clearly(client, site, key, origin, status, code):
    response = post(client, site.public_key if key == "site" else key, REPORT, origin=origin)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and "request_id" in error
    assert "Access-Control-Allow-Origin" not in response
    assert not Ticket.objects.exists()


def test_validation_errors_have_the_api_shape_and_name_the_fields(client, site):
    response = post(client, site.public_key, {"name": "", "description": "", "colour": "red"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["colour"]
    response = post(client, site.public_key, {"name": "", "description": ""})
    fields = response.json()["error"]["fields"]
    assert response.status_code == 400 and {"name", "description", "phone", "email"} <= set(fields)
    assert response["Access-Control-Allow-Origin"] == SHOP  # the page may read the error


def test_a_dangerous_file_is_refused_with_its_name(client, site):
    body = REPORT | {"attachments": [{"name": "x.svg", "content_base64": base64.b64encode(b"<svg/>").decode()}]}
    response = post(client, site.public_key, body)
    assert response.status_code == 400 and "x.svg" in response.json()["error"]["fields"]["attachments"]
    assert not Ticket.objects.exists()


def test_an_idempotency_key_makes_one_ticket(client, site):
    first = post(client, site.public_key, REPORT, HTTP_IDEMPOTENCY_KEY="abc-1")
    second = post(client, site.public_key, REPORT, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["number"] == second.json()["number"] and second.json()["duplicate"] is True
    assert Ticket.objects.count() == 1


def test_the_preflight_answers_only_registered_origins(client, site):
    ok = client.options(URL, HTTP_ORIGIN=SHOP, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SHOP
    assert "X-LoopDesk-Site-Key" in ok["Access-Control-Allow-Headers"]
    bad = client.options(URL, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad


def test_the_api_is_documented(client, site):
    schema = client.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/portal/reports"]


def test_an_overlong_idempotency_key_is_refused(client, site):
    response = post(client, site.public_key, REPORT, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["fields"]
