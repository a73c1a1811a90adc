"""Bad input gets the one error shape with the right status, never a 500 (R06, R12, R13, R33)."""

import json

import pytest
from django.test import Client

from loopdesk.accounts.models import ApiToken
from loopdesk.api.tests.conftest import NEW_TICKET
from loopdesk.testing.factories import TicketFactory
from loopdesk.tickets.models import Ticket

NUL = "\x00"
HUGE = "x" * 10_000


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "request_id"}
    assert error["request_id"]
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def number(api_client, supervisor):
    return post(api_client(supervisor), "/api/v1/tickets", NEW_TICKET).json()["number"]


@pytest.mark.django_db
def test_validation_errors_name_each_field(api_client, agent):
    bad = dict(NEW_TICKET, title="", customer={"phone": "1"}, color="red")

    error = assert_error(post(api_client(agent), "/api/v1/tickets", bad), 400, "validation_error")

    assert {"title", "customer.name", "color"} <= set(error["fields"])


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [{"color": "red"}, {"_connector": "OR"}, {"status": "closed"}, {"created_by": 1}])
def test_unknown_or_protected_fields_are_400_naming_them(api_client, agent, extra):
    error = assert_error(post(api_client(agent), "/api/v1/tickets", dict(NEW_TICKET, **extra)), 400)

    assert set(error["fields"]) == set(extra)
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "nope"), ("priority", "P9"), ("channel", "pigeon"), ("demand", "gold")],
)
def test_unknown_codes_are_400_naming_the_field(api_client, agent, field, value):
    error = assert_error(post(api_client(agent), "/api/v1/tickets", dict(NEW_TICKET, **{field: value})), 400)
    assert field in error["fields"]


GARBAGE_TICKETS = {
    "nul in title": (dict(NEW_TICKET, title="a" + NUL), "title"),
    "nul in description": (dict(NEW_TICKET, description=NUL), "description"),
    "nul in customer name": (dict(NEW_TICKET, customer={"name": "张" + NUL, "phone": "13900000000"}), "customer.name"),
    "nul in a tag": (dict(NEW_TICKET, tags=["ok", "a" + NUL]), "tags.1"),
    "nul in a detail": (dict(NEW_TICKET, steps=NUL), "steps"),
    "nul in a key": ({**NEW_TICKET, "ti" + NUL: 1}, "ti" + NUL),
    "10 KB title": (dict(NEW_TICKET, title=HUGE), "title"),
    "10 KB customer name": (dict(NEW_TICKET, customer={"name": HUGE}), "customer.name"),
    "10 KB tag": (dict(NEW_TICKET, tags=[HUGE]), "tags.0"),
    "too many tags": (dict(NEW_TICKET, tags=[f"t{i}" for i in range(21)]), "tags"),
    "number as title": (dict(NEW_TICKET, title=123), "title"),
    "list as title": (dict(NEW_TICKET, title=["a"]), "title"),
    "huge integer": (dict(NEW_TICKET, title=10**400), "title"),
    "string as customer": (dict(NEW_TICKET, customer="张三"), "customer"),
    "null customer": (dict(NEW_TICKET, customer=None), "customer"),
    "ints as tags": (dict(NEW_TICKET, tags=[1]), "tags.0"),
    "unparsable time": (dict(NEW_TICKET, received_at="yesterday"), "received_at"),
    "time without zone": (dict(NEW_TICKET, received_at="2024-03-15T09:30:00"), "received_at"),
    "future occurrence": (dict(NEW_TICKET, occurred_at="9999-12-31T23:59:59+14:00"), "occurred_at"),
    "bad email": (dict(NEW_TICKET, customer={"name": "张三", "email": "not-an-email"}), "customer.email"),
    "unknown serial no.": (dict(NEW_TICKET, asset_serial_no="SN-NOPE"), "asset_serial_no"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", GARBAGE_TICKETS, ids=list(GARBAGE_TICKETS))
def test_garbage_tickets_are_400_naming_the_field(api_client, agent, case):
    body, field = GARBAGE_TICKETS[case]

    error = assert_error(post(api_client(agent), "/api/v1/tickets", body), 400)

    assert field in error["fields"], error
    assert not Ticket.objects.exists()


RAW_BODIES = {
    "not json": (b"{not json", "application/json", 400),
    "invalid utf-8": (b"\xff\xfe", "application/json", 400),
    "byte order mark": (b"\xef\xbb\xbf{}", "application/json", 400),
    "lone surrogate": (b'{"title": "\\ud800"}', "application/json", 400),
    "NaN": (b'{"title": NaN}', "application/json", 400),
    "array": (b"[1, 2]", "application/json", 400),
    "null": (b"null", "application/json", 400),
    "empty": (b"", "application/json", 400),
    "text/plain": (json.dumps(NEW_TICKET).encode(), "text/plain", 415),
    "form encoded": (b"title=x", "application/x-www-form-urlencoded", 415),
    "multipart": (b"--x--", "multipart/form-data; boundary=x", 415),
    "latin-1 json": (json.dumps(NEW_TICKET).encode(), "application/json; charset=latin-1", 415),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", RAW_BODIES, ids=list(RAW_BODIES))
def test_garbage_bodies_never_500(api_client, agent, case):
    body, content_type, status = RAW_BODIES[case]
    assert_error(api_client(agent).post("/api/v1/tickets", body, content_type=content_type), status)


@pytest.mark.django_db
def test_json_nested_deeper_than_the_limit_is_400(api_client, agent, settings):
    deep: dict = {"a": 1}
    for _ in range(settings.LOOPDESK_MAX_JSON_DEPTH + 5):
        deep = {"a": deep}
    error = assert_error(post(api_client(agent), "/api/v1/tickets", dict(NEW_TICKET, extra=deep)), 400, "too_deep")
    assert error["message"]


@pytest.mark.django_db
def test_oversized_body_is_413(api_client, agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = dict(NEW_TICKET, description="长" * 2000)
    assert_error(post(api_client(agent), "/api/v1/tickets", body), 413, "payload_too_large")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "ordering=assignee__password",
        "_connector=OR",
        "sort=owner__password",
        "sort=-owner__password",
        "status=bogus",
        "q=" + "x" * 10_000,
        "q=%00abc",
        "owner=%00",
        "q=%ff%fe",
        "limit=0",
        "limit=abc",
        "limit=%D9%A1",
        "limit=99999999999999999999",
        "offset=-1",
        "open_only=maybe",
    ],
)
def test_hostile_list_queries_are_400(api_client, supervisor, query):
    assert_error(api_client(supervisor).get(f"/api/v1/tickets?{query}"), 400)


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["%00", "x" * 10_000, "%ff"])
def test_hostile_lookups_are_400(api_client, agent, q):
    assert_error(api_client(agent).get(f"/api/v1/customers/lookup?q={q}"), 400)


@pytest.mark.django_db
def test_sql_looking_text_is_just_text(api_client, supervisor, number):
    response = api_client(supervisor).get("/api/v1/tickets?q=%27%20OR%201%3D1--")
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("transitions", {"to": NUL}, "to"),
        ("transitions", {"to": 5}, "to"),
        ("transitions", {"to": "triaged", "tags": [NUL]}, "tags.0"),
        ("transitions", {"to": "triaged", "version": "abc"}, "version"),
        ("transitions", {"to": "triaged", "assignee": "engineer"}, "assignee"),
        ("transitions", {"to": "assigned", "owner": NUL}, "owner"),
        ("replies", {"body": "a" + NUL}, "body"),
        ("replies", {"body": HUGE * 11}, "body"),
        ("replies", {"body": "a", "is_public": "maybe"}, "is_public"),
        ("replies", {"body": "   "}, "body"),
        ("progress", {"body": "a", "next_step": NUL}, "next_step"),
        ("satisfaction", {"score": "abc"}, "score"),
        ("satisfaction", {"score": True}, "score"),
        ("satisfaction", {"score": 1.5}, "score"),
        ("satisfaction", {"score": 10**30}, "score"),
        ("satisfaction", {"score": 3, "comment": NUL}, "comment"),
    ],
)
def test_garbage_on_ticket_actions_is_400(api_client, supervisor, number, path, body, field):
    error = assert_error(post(api_client(supervisor), f"/api/v1/tickets/{number}/{path}", body), 400)
    assert field in error["fields"], error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({"steps": "a" + NUL}, "steps"), ({"title": "x"}, "title"), ({"frequency": HUGE}, "frequency")],
)
def test_garbage_patches_are_400(api_client, supervisor, number, body, field):
    client = api_client(supervisor)
    error = assert_error(client.patch(f"/api/v1/tickets/{number}", body, content_type="application/json"), 400)
    assert field in error["fields"]


@pytest.mark.django_db
def test_nul_in_the_path_is_400(api_client, supervisor, number):
    assert_error(api_client(supervisor).get(f"/api/v1/tickets/{number}%00"), 400)


@pytest.mark.django_db
def test_invisible_and_unknown_tickets_are_404(api_client, engineer):
    hidden = TicketFactory()  # registered by nobody, owned by nobody, another department
    client = api_client(engineer)
    for url in (f"/api/v1/tickets/{hidden.number}", "/api/v1/tickets/P20990101001", "/api/v1/tickets/" + HUGE):
        assert_error(client.get(url), 404, "not_found")
    for path, body in [("transitions", {"to": "triaged"}), ("replies", {"body": "x"}), ("progress", {"body": "x"})]:
        assert_error(post(client, f"/api/v1/tickets/{hidden.number}/{path}", body), 404, "not_found")
    patch = client.patch(f"/api/v1/tickets/{hidden.number}", {"steps": "x"}, content_type="application/json")
    assert_error(patch, 404, "not_found")


@pytest.mark.django_db
def test_unknown_urls_and_methods_use_the_error_shape(api_client, supervisor, number):
    client = api_client(supervisor)
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    error = assert_error(client.delete(f"/api/v1/tickets/{number}"), 405, "method_not_allowed")
    assert error["message"]


@pytest.mark.django_db
def test_creating_needs_the_permission(api_client, engineer):
    assert_error(post(api_client(engineer), "/api/v1/tickets", NEW_TICKET), 403, "forbidden")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_errors_come_in_the_users_language(supervisor):
    _, raw = ApiToken.issue(supervisor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    error = assert_error(client.get("/api/v1/tickets/P20990101001"), 404)
    assert error["message"] != "Ticket not found."
