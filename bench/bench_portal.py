"""Customer portal page weight and time to first byte, with the demo data loaded.

Runs against a fresh database (SQLite in a temporary directory by default; PostgreSQL when DATABASE_URL is
set, whose name must contain "bench"), loads the demo, then serves the project over HTTP on loopback
(Django's WSGI server, one serving thread like one gunicorn worker, with the full middleware stack and WhiteNoise for static files) and measures:

- weight: bytes of the HTML, CSS and JS a first visit transfers (each static file once), raw and gzipped;
- time to first byte: from sending the request to the status line and headers, median and p90 of N runs
  (default 20) on a keep-alive-free connection each, after one warm-up.

Pages: the public report form (/portal/), the embedded form (/portal/embed/<demo key>), and the customer
ticket page of the demo ticket with the longest public timeline (opened through a fresh access link).

    uv run python bench/bench_portal.py            # prints a Markdown table, writes var/bench_portal_<vendor>.json
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
if not os.environ.get("DATABASE_URL"):
    os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from common import fresh_database, machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 20))


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def serve() -> int:
    # one serving thread, like one gunicorn sync worker: its database connection is kept between requests
    server = WSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def fetch(port: int, path: str, cookie: str = "") -> tuple[float, int, bytes, dict[str, str]]:
    """(seconds to first byte, status, body, headers) over a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", "Accept-Language": "zh-CN"} | ({"Cookie": cookie} if cookie else {})
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    ttfb = time.perf_counter() - start
    body = response.read()
    result = (ttfb, response.status, body, {k.lower(): v for k, v in response.getheaders()})
    conn.close()
    return result


def weight(port: int, html: bytes) -> dict[str, float]:
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    raw, zipped = len(html), len(gzip.compress(html))
    for asset in dict.fromkeys(assets):
        _t, status, body, _h = fetch(port, asset.decode())
        assert status == 200, asset
        raw += len(body)
        zipped += len(gzip.compress(body))
    return {"raw_kb": round(raw / 1024, 1), "gzip_kb": round(zipped / 1024, 1), "files": 1 + len(set(assets))}


def ttfb(port: int, path: str, cookie: str = "") -> dict[str, float]:
    fetch(port, path, cookie)  # warm-up
    samples = []
    for _ in range(RUNS):
        seconds, status, _body, _h = fetch(port, path, cookie)
        assert status == 200, (path, status)
        samples.append(seconds * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 1), "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 1)}


def customer_cookie(port: int) -> tuple[str, str]:
    """A fresh access link for the demo ticket with the longest public timeline, exchanged for a session."""
    from django.db.models import Count, Q

    from loopdesk.portal.services import issue_access_link
    from loopdesk.tickets.models import Ticket

    ticket = (
        Ticket.objects.filter(is_archived=False)
        .annotate(public=Count("events", filter=Q(events__is_public=True)))
        .order_by("-public", "id")
        .first()
    )
    token = issue_access_link(ticket)
    _t, status, _b, headers = fetch(port, f"/portal/t/{token}")
    assert status == 302, status
    cookie = headers["set-cookie"].split(";")[0]
    return cookie, f"/portal/tickets/{ticket.number}"


def main() -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    fresh_database()
    call_command("load_demo", verbosity=0)
    info = machine()
    port = serve()
    from loopdesk.portal.demo_data import DEMO_KEY

    cookie, ticket_path = customer_cookie(port)
    pages = {
        "report form /portal/": ("/portal/", ""),
        "embedded form /portal/embed/<key>": (f"/portal/embed/{DEMO_KEY}", ""),
        f"customer ticket page {ticket_path}": (ticket_path, cookie),
    }
    rows = {}
    for name, (path, cookie_value) in pages.items():
        _t, status, html, _h = fetch(port, path, cookie_value)
        assert status == 200, (path, status)
        rows[name] = weight(port, html) | ttfb(port, path, cookie_value)
    print(f"\n{info['database']} · {info['cpu']} · load {info['load_average_at_start']} · {RUNS} runs\n")
    print("| page | files | weight raw (KB) | weight gzip (KB) | TTFB median (ms) | TTFB p90 (ms) |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['files']} | {r['raw_kb']} | {r['gzip_kb']} | {r['median_ms']} | {r['p90_ms']} |")
    out = ROOT / "var" / f"bench_portal_{connection.vendor}.json"
    out.write_text(json.dumps({"machine": info, "runs": RUNS, "pages": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
