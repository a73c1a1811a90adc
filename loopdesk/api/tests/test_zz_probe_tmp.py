import json

import pytest

from loopdesk.api.tests.conftest import NEW_TICKET

N = "\x00"
BIG = "x" * 10_000


@pytest.mark.django_db(transaction=False)
def test_probe(api_client, supervisor, agent):
    c = api_client(supervisor)
    created = c.post("/api/v1/tickets", NEW_TICKET, content_type="application/json")
    num = created.json()["number"]
    bodies = {
        "title_nul": dict(NEW_TICKET, title="a" + N),
        "desc_nul": dict(NEW_TICKET, description="a" + N),
        "cust_name_nul": dict(NEW_TICKET, customer={"name": "a" + N, "phone": "13900000000"}),
        "cust_company_nul": dict(NEW_TICKET, customer={"name": "a", "phone": "13900000001", "company": N}),
        "cust_member_nul": dict(NEW_TICKET, customer={"name": "a", "phone": "13900000002", "member_no": N}),
        "tags_nul": dict(NEW_TICKET, tags=["a" + N]),
        "tags_big": dict(NEW_TICKET, tags=[BIG]),
        "tags_int": dict(NEW_TICKET, tags=[1, 2]),
        "tags_empty": dict(NEW_TICKET, tags=["", " "]),
        "received_garbage": dict(NEW_TICKET, received_at="garbage"),
        "received_9999": dict(NEW_TICKET, received_at="9999-12-31T23:59:59"),
        "received_0001": dict(NEW_TICKET, received_at="0001-01-01T00:00:00Z"),
        "received_naive": dict(NEW_TICKET, received_at="2024-01-01T00:00:00"),
        "occurred_9999": dict(NEW_TICKET, occurred_at="9999-12-31T23:59:59+14:00"),
        "steps_nul": dict(NEW_TICKET, steps=N),
        "serial_nul": dict(NEW_TICKET, asset_serial_no=N),
        "order_nul": dict(NEW_TICKET, order_no=N),
        "demand_nul": dict(NEW_TICKET, demand=N),
        "category_nul": dict(NEW_TICKET, category=N),
        "priority_nul": dict(NEW_TICKET, priority=N),
        "channel_nul": dict(NEW_TICKET, channel=N),
        "cust_str": dict(NEW_TICKET, customer="x"),
        "cust_null": dict(NEW_TICKET, customer=None),
        "title_list": dict(NEW_TICKET, title=["a"]),
        "big_number": dict(NEW_TICKET, title=10**400),
        "_connector": dict(NEW_TICKET, _connector="OR"),
        "email_garbage": dict(NEW_TICKET, customer={"name": "a", "email": "@" + N}),
        "phone_garbage": dict(
            NEW_TICKET, customer={"name": "a", "phone": "\u0661\u0662\u0663\u0664\u0665\u0666\u0667"}
        ),
    }
    for name, body in bodies.items():
        r = c.post("/api/v1/tickets", body, content_type="application/json")
        print("CREATE", name, r.status_code, r.content[:200])
    raw = {
        "nan": b'{"title": NaN}',
        "inf": b'{"title": 1e999}',
        "null": b"null",
        "str": b'"x"',
        "empty": b"",
        "dupkeys": json.dumps(NEW_TICKET).encode()[:-1] + b', "title": "dup"}',
        "bom": b"\xef\xbb\xbf" + json.dumps(NEW_TICKET).encode(),
        "surrogate": b'{"title": "\\ud800"}',
    }
    for name, b in raw.items():
        r = c.post("/api/v1/tickets", b, content_type="application/json")
        print("RAW", name, r.status_code, r.content[:200])
    for ct in [
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "application/xml",
        "",
    ]:
        r = c.post("/api/v1/tickets", json.dumps(NEW_TICKET), content_type=ct)
        print("CT", repr(ct), r.status_code, r.content[:150])
    gets = [
        f"/api/v1/tickets/{num}%00",
        "/api/v1/tickets/" + BIG,
        "/api/v1/customers/lookup?q=%00",
        "/api/v1/customers/lookup?q=" + BIG,
        "/api/v1/customers/lookup",
        "/api/v1/customers/lookup?q=",
        "/api/v1/tickets?owner=%00",
        "/api/v1/tickets?channel=%00",
        "/api/v1/tickets?department=" + BIG,
        "/api/v1/tickets?limit=99999999999999999999",
        "/api/v1/tickets?offset=99999999999999999999",
        "/api/v1/tickets?limit=%D9%A1",
        "/api/v1/tickets?open_only=maybe",
        "/api/v1/tickets?q=%27%20OR%201%3D1--",
        "/api/v1/nope",
        "/api/v1/tickets/",
        "/api/v1/openapi.json",
        "/api/v1/tickets?status=new&status=closed",
        "/api/v1/tickets?q=%ff%fe",
        "/api/v1/customers/lookup?q=%ff",
    ]
    for url in gets:
        r = c.get(url)
        print("GET", url[:60], r.status_code, r.content[:160])
    for m in ["delete", "put"]:
        r = getattr(c, m)(f"/api/v1/tickets/{num}")
        print("METHOD", m, r.status_code, r.content[:160])
    posts = {
        "transitions": [
            {"to": N},
            {"to": "assigned", "owner": N},
            {"to": "triaged", "tags": [N]},
            {"to": "triaged", "category": N},
            {"to": "triaged", "version": "abc"},
            {"to": "triaged", "version": 10**30},
            {"to": "triaged", "note": N},
            {"to": 5},
            {"to": "triaged", "department": N},
            {"to": "triaged", "xx": 1},
        ],
        "replies": [
            {"body": N},
            {"body": "a" + N},
            {"body": BIG * 20},
            {"body": "a", "is_public": "maybe"},
            {"body": "   "},
        ],
        "progress": [{"body": "a" + N, "next_step": N}],
        "satisfaction": [
            {"score": "abc"},
            {"score": 1.5},
            {"score": True},
            {"score": 10**30},
            {"score": 3, "comment": N},
        ],
    }
    for ep, items in posts.items():
        for body in items:
            r = c.post(f"/api/v1/tickets/{num}/{ep}", body, content_type="application/json")
            print("POST", ep, repr(body)[:60], r.status_code, r.content[:200])
    for body in [
        {"steps": "a" + N},
        {"demand": N},
        {"version": -1},
        {"occurred_at": "x"},
        {"title": "x"},
        {"frequency": BIG},
    ]:
        r = c.patch(f"/api/v1/tickets/{num}", body, content_type="application/json")
        print("PATCH", repr(body)[:60], r.status_code, r.content[:200])
    for key in ["x" * 300, "a\tb", "ключ", ""]:
        r = c.post("/api/v1/tickets", NEW_TICKET, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        print("IDEM", repr(key)[:30], r.status_code, r.content[:150])
    from django.test import Client

    for h in ["Bearer ключ", "Bearer a\x00b", "bearer " + "x", "Token abc"]:
        try:
            r = Client(HTTP_AUTHORIZATION=h).get("/api/v1/tickets")
            print("AUTH", repr(h), r.status_code, r.content[:150])
        except Exception as e:
            print("AUTH EXC", repr(h), e)
