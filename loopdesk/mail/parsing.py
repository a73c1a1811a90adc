"""Parse raw RFC 5322/MIME bytes into a decoded, size-limited ParsedMessage. Pure.

The stdlib parser (compat32 policy) only splits the structure and keeps raw bytes; every header,
parameter and body is decoded here with :mod:`loopdesk.mail.decoding`. ``parse_message`` never
raises: problems are listed in ``defects``.
"""

from __future__ import annotations

import binascii
import email.utils
import inspect
import mimetypes
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from io import BytesIO
from typing import Any

from loopdesk.mail.decoding import decode_base64, decode_bytes, decode_header, decode_param, safe_filename
from loopdesk.mail.htmltext import html_to_text

MAX_RECIPIENTS = 100
_BODY_FALLBACKS = ("utf-8", "gb18030")


@dataclass(frozen=True)
class Attachment:
    """A non-body MIME leaf (file, inline image, forwarded message, report part)."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    is_inline: bool = False


@dataclass(frozen=True)
class ParsedMessage:
    """A decoded inbound message."""

    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    auto_kind: str = ""
    encoding_problem: bool = False
    defects: tuple[str, ...] = field(default_factory=tuple)


class _State:
    def __init__(self, header_charset: str) -> None:
        self.header_charset = header_charset
        self.text_parts: list[str] = []
        self.html_parts: list[str] = []
        self.attachments: list[Attachment] = []
        self.defects: list[str] = []
        self.problem = False
        self.content_types: set[str] = set()
        self.report_types: set[str] = set()
        self.blocks: dict[bytes, memoryview] = {}  # large base64 bodies lifted out before parsing

    def defect(self, description: str) -> None:
        if description not in self.defects:
            self.defects.append(description)


# ---------------------------------------------------------------- headers and parameters


def _raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def _raw_headers(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [value if isinstance(value, str) else str(value) for key, value in msg.raw_items() if key.lower() == wanted]


def _split_params(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _params(raw_value: str | None) -> dict[str, Any]:
    """Parameters of a Content-Type/Content-Disposition value (RFC 2231 values as tuples)."""
    if not raw_value:
        return {}
    unfolded = re.sub(r"\r?\n", "", raw_value)
    pairs: list[tuple[str, str]] = []
    for index, chunk in enumerate(_split_params(unfolded)):
        if index == 0:
            pairs.append((chunk.strip(), ""))
            continue
        name, sep, val = chunk.partition("=")
        if sep and name.strip():
            pairs.append((name.strip().lower(), val.strip()))
    decoded: list[tuple[str, Any]]
    try:
        decoded = list(email.utils.decode_params(pairs))
    except Exception:  # malformed RFC 2231 sections
        decoded = list(pairs)
    result: dict[str, Any] = {}
    for name, val in decoded[1:]:
        key = name.lower()
        if key in result:
            continue
        if isinstance(val, tuple):
            result[key] = (val[0], val[1], email.utils.unquote(val[2]))
        else:
            result[key] = email.utils.unquote(val) if val.startswith('"') else val
    return result


def _param_text(params: dict[str, Any], name: str, state: _State) -> str:
    value = params.get(name)
    if value is None or value == "":
        return ""
    text, problem = decode_param(value, fallback=state.header_charset)
    state.problem = state.problem or problem
    return text


def _header_text(msg: Message, name: str, state: _State) -> str:
    text, problem = decode_header(_raw_header(msg, name), fallback=state.header_charset)
    state.problem = state.problem or problem
    return text


_ID_RE = re.compile(r"<([^<>\s]+)>")


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    unfolded = re.sub(r"\s+", " ", value)
    found = _ID_RE.findall(unfolded)
    if not found:
        found = [token.strip("<>,;") for token in unfolded.split() if "@" in token]
    return tuple(dict.fromkeys(token for token in found if token.isprintable()))


# ---------------------------------------------------------------- addresses

_HAS_STRICT = "strict" in inspect.signature(email.utils.getaddresses).parameters
_ADDRESS_RE = re.compile(r"^[^\s@<>()\[\],;:\\\"]+@[^\s@<>()\[\],;:\\\"]+$")


def _iter_escaped(value: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    escape = False
    for pos, ch in enumerate(value):
        if escape:
            out.append((pos, "\\" + ch))
            escape = False
        elif ch == "\\":
            escape = True
        else:
            out.append((pos, ch))
    return out


def _strip_quoted(value: str) -> str:
    result: list[str] = []
    quoted = False
    for _pos, ch in _iter_escaped(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            result.append(ch)
    return "".join(result)


def _balanced_parens(value: str) -> bool:
    depth = 0
    for _pos, ch in _iter_escaped(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _getaddresses(values: list[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses(values, strict=True)``, backported for Pythons without it."""
    if _HAS_STRICT:
        return email.utils.getaddresses(values, strict=True)  # type: ignore[call-arg,unused-ignore]
    checked = [v if _balanced_parens(v) else "('', '')" for v in values]
    parsed = email.utils.getaddresses([", ".join(checked)])
    parsed = [("", "") if "[" in address else (name, address) for name, address in parsed]
    expected = sum(1 + _strip_quoted(v).count(",") for v in checked)
    if len(parsed) != expected:
        return [("", "")]
    return parsed


def _clean_address(address: str) -> str:
    try:
        text = address.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return ""
    text = text.strip().lower()
    return text if _ADDRESS_RE.match(text) else ""


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    if not values:
        return []
    unfolded = [re.sub(r"\r?\n", " ", v) for v in values]
    try:
        pairs = _getaddresses(unfolded)
    except Exception:  # address parser on hostile input
        return []
    return [(name, address) for name, address in pairs if name or address]


def _address_list(msg: Message, names: tuple[str, ...], state: _State, label: str) -> tuple[str, ...]:
    values = [v for name in names for v in _raw_headers(msg, name)]
    found = [a for a in (_clean_address(address) for _name, address in _addresses(values)) if a]
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_RECIPIENTS:
        state.defect(f"too many {label} recipients ({len(unique)}), kept {MAX_RECIPIENTS}")
    return tuple(unique[:MAX_RECIPIENTS])


def _sender(msg: Message, state: _State) -> tuple[str, str]:
    values = _raw_headers(msg, "from")
    pairs = _addresses(values)
    addresses = {_clean_address(address) for _name, address in pairs}
    if len(pairs) != 1 or len(addresses) != 1:
        if values:
            state.defect("From header has no single valid address")
        name = pairs[0][0] if pairs else ""
        return _decoded_name(name, state), ""
    name, address = pairs[0]
    cleaned = _clean_address(address)
    if not cleaned and values:
        state.defect("From header has no single valid address")
    return _decoded_name(name, state), cleaned


def _decoded_name(name: str, state: _State) -> str:
    text, problem = decode_header(name, fallback=state.header_charset)
    state.problem = state.problem or problem
    return " ".join(text.split())


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(" ".join(value.split()))
    except Exception:  # unparseable or out-of-range dates
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# ---------------------------------------------------------------- bodies


def _raw_payload(part: Message) -> bytes:
    """The stored payload bytes (compat32 ``get_payload()`` would re-decode 8-bit data with "replace")."""
    payload = getattr(part, "_payload", None)
    if payload is None or isinstance(payload, list):
        return b""
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return str(payload).encode("utf-8", "surrogateescape")


_BASE64_LINE_RE = re.compile(rb"[A-Za-z0-9+/]*=*")


def _looks_base64(raw: bytes) -> bool:
    return all(_BASE64_LINE_RE.fullmatch(line.strip()) for line in raw.splitlines())


def _base64_lines(raw: bytes, state: _State) -> bytes:
    """The base64 block, without text appended after it (e.g. a mailing-list footer)."""
    lines = raw.splitlines()
    seen = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _BASE64_LINE_RE.fullmatch(stripped):
            seen = True
        elif seen:
            state.defect("text after the base64 data ignored")
            return b"\n".join(lines[:index])
        else:
            return raw
    return raw


def _transfer_encoding(part: Message) -> str:
    cte = (_raw_header(part, "content-transfer-encoding") or "").strip().lower()
    return cte.split(";", 1)[0].strip().strip('"')


def _payload_bytes(part: Message, state: _State) -> bytes:
    payload = getattr(part, "_payload", None)
    if isinstance(payload, list):
        return b"".join(_message_bytes(sub, state) for sub in payload if isinstance(sub, Message))
    raw = _raw_payload(part)
    cte = _transfer_encoding(part)
    if cte == "base64":
        lifted = _lifted_block(raw, state)
        if lifted is not None:
            return lifted
        return decode_base64(_base64_lines(raw, state))
    if cte == "quoted-printable":
        return quopri.decodestring(raw)
    if cte in ("x-uuencode", "uuencode", "x-uue", "uue"):
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else raw
    if cte not in ("", "7bit", "8bit", "binary", "none"):
        state.defect(f"unknown transfer encoding {cte[:40]!r}")
    return raw


def _message_bytes(msg: Message, state: _State) -> bytes:
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0).flatten(msg)
    except Exception:  # keep going without this part's bytes
        state.defect("could not re-serialize an embedded message")
    data = buffer.getvalue()
    for token, block in state.blocks.items():  # an embedded message gets its lifted bodies back
        if token in data:
            data = data.replace(token, bytes(block).rstrip(b"\r\n"))
    return data


# Large base64 bodies (attachments) are cut out of the message before the standard parser sees it, which
# otherwise holds several copies of every line; each is decoded straight from the raw bytes when needed.
_LIFT_FROM = 1 << 20  # only messages of 1 MB and more
_B64_LINE = re.compile(rb"[A-Za-z0-9+/]{1,998}={0,2}\r?\n")
_MIN_RUN_LINES = 2000  # about 150 KB of base64


def _base64_runs(raw: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of at least _MIN_RUN_LINES base64 lines, found line by line (a single
    regex with a repeated group would keep a backtracking frame per line: several copies of the data)."""
    pos, end, start, count = 0, len(raw), -1, 0
    while pos < end:
        line = _B64_LINE.match(raw, pos)
        if line is not None:
            if start < 0:
                start, count = pos, 0
            count += 1
            pos = line.end()
            continue
        if start >= 0 and count >= _MIN_RUN_LINES:
            yield start, pos
        start = -1
        newline = raw.find(b"\n", pos)
        pos = end if newline < 0 else newline + 1
    if start >= 0 and count >= _MIN_RUN_LINES:
        yield start, pos


_CTE_BASE64 = re.compile(rb"(?im)^content-transfer-encoding:[ \t]*\"?base64")


def _lift_blocks(raw: bytes, state: _State) -> bytes:
    """The message with each large base64 body (right after a part's headers saying base64) replaced by a token."""
    if len(raw) < _LIFT_FROM:
        return raw
    view = memoryview(raw)
    pieces: list[bytes] = []
    last = 0
    for start, stop in _base64_runs(raw):
        head = raw[max(0, start - 4096) : start]
        separator = max(head.rfind(b"\n\n"), head.rfind(b"\n\r\n"))
        if separator < 0 or head[separator:].strip() or not _CTE_BASE64.search(head[:separator]):
            continue  # not a whole part body declared base64: leave it to the parser
        token = b"LOOPDESKBLOCK%dX" % len(state.blocks)
        state.blocks[token] = view[start:stop]
        pieces += [raw[last:start], token, b"\r\n"]
        last = stop
    if not state.blocks:
        return raw
    pieces.append(raw[last:])
    return b"".join(pieces)


def _lifted_block(raw: bytes, state: _State) -> bytes | None:
    if not state.blocks or len(raw) > 4096:
        return None
    lines = raw.strip().split(b"\n", 1)
    block = state.blocks.get(lines[0].strip())
    if block is None:
        return None
    if len(lines) > 1 and lines[1].strip():
        state.defect("text after the base64 data ignored")
    try:
        return binascii.a2b_base64(block)
    except (binascii.Error, ValueError):
        return decode_base64(bytes(block))


def _limited(text: str, limit: int, state: _State, what: str) -> str:
    if len(text) > limit:
        state.defect("truncated")
        state.defect(f"{what} body truncated to {limit} characters")
        return text[:limit]
    return text


def _attachment(part: Message, ctype: str, name: str, content: bytes, disposition: str) -> Attachment:
    content_id = (_raw_header(part, "content-id") or "").strip()
    content_id = content_id.strip("<> \t\r\n").strip()
    if not name:
        extension = ".eml" if ctype == "message/rfc822" else (mimetypes.guess_extension(ctype) or "")
        name = "attachment" + extension
    return Attachment(
        filename=safe_filename(name),
        content_type=ctype,
        content=content,
        content_id=content_id if content_id.isprintable() else "",
        is_inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
    )


def _content_type(part: Message) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:
        ctype = "text/plain"
    ctype = ctype.strip().lower()
    return ctype if re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", ctype) else "application/octet-stream"


def _walk(part: Message, depth: int, state: _State, options: tuple[int, int]) -> None:
    max_depth, max_chars = options
    for defect in getattr(part, "defects", []) or []:
        state.defect(type(defect).__name__)
    ctype = _content_type(part)
    state.content_types.add(ctype)
    type_params = _params(_raw_header(part, "content-type"))
    disposition_raw = _raw_header(part, "content-disposition") or ""
    disposition = disposition_raw.split(";", 1)[0].strip().lower()
    disposition_params = _params(disposition_raw)
    if ctype == "multipart/report":
        report_type = type_params.get("report-type")
        if isinstance(report_type, str):
            state.report_types.add(report_type.strip().lower())

    payload = part.get_payload()
    if ctype.startswith("multipart/") and isinstance(payload, list):
        if depth >= max_depth:
            state.defect(f"MIME nesting deeper than {max_depth} levels; inner parts skipped")
            return
        for sub in payload:
            if isinstance(sub, Message):
                _walk(sub, depth + 1, state, options)
        return
    if ctype.startswith("multipart/"):
        ctype = "text/plain"

    name = _param_text(disposition_params, "filename", state) or _param_text(type_params, "name", state)
    if ctype.startswith("message/") or isinstance(payload, list):
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                state.content_types.add(_content_type(sub))
        state.attachments.append(_attachment(part, ctype, name, _payload_bytes(part, state), disposition))
        return

    content = _payload_bytes(part, state)
    is_body_type = ctype in ("text/plain", "text/html")
    bodies = state.text_parts if ctype == "text/plain" else state.html_parts
    if is_body_type and disposition != "attachment" and not (name and bodies):
        charset = type_params.get("charset")
        if isinstance(charset, tuple):
            charset = charset[2]
        declared = charset if isinstance(charset, str) else None
        text, problem = decode_bytes(content, declared, fallbacks=_BODY_FALLBACKS)
        if problem and _transfer_encoding(part) == "base64" and not _looks_base64(_raw_payload(part)):
            raw_text, raw_problem = decode_bytes(_raw_payload(part), declared, fallbacks=_BODY_FALLBACKS)
            if not raw_problem:
                state.defect("text part labelled base64 is not base64; kept as is")
                text, problem = raw_text, False
        state.problem = state.problem or problem
        bodies.append(_limited(text, max_chars, state, ctype))
        return
    state.attachments.append(_attachment(part, ctype, name, content, disposition))


def _first_charset(msg: Message, depth: int = 0) -> str:
    """Declared charset of the first text part, used to read raw 8-bit headers."""
    payload = msg.get_payload()
    if isinstance(payload, list):
        for sub in payload[:50]:
            if isinstance(sub, Message) and depth < 20 and not _content_type(sub).startswith("message/"):
                found = _first_charset(sub, depth + 1)
                if found:
                    return found
        return ""
    charset = _params(_raw_header(msg, "content-type")).get("charset")
    if not isinstance(charset, str) or charset.strip().lower() in ("us-ascii", "ascii", ""):
        return ""
    return charset.strip()


# ---------------------------------------------------------------- auto-reply / bounce classification

_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|returned mail|delivery status notification|delivery (?:has )?failed|mail delivery failed"
    r"|failure notice|delivery failure|could not send message|message delayed|non[- ]?delivery"
    r"|退信|系统退信|投递失败|未能送达|无法投递|發送失敗|退回",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT_RE = re.compile(
    r"^\s*(?:auto:|auto[- ]?reply|automatic reply|autoreply|auto[- ]?response|out of (?:the )?office"
    r"|自动回复|自動回覆|自動回复|自动答复|休假|不在办公室)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


def _header_value(msg: Message, name: str) -> str:
    value = _raw_header(msg, name)
    return " ".join(value.split()).lower() if value else ""


def _auto_kind(msg: Message, state: _State, subject: str, from_address: str) -> str:
    types = state.content_types
    reports = state.report_types
    if (
        {"message/delivery-status", "message/global-delivery-status", "message/feedback-report"} & types
        or {"delivery-status", "feedback-report", "global-delivery-status"} & reports
        or _raw_header(msg, "x-failed-recipients") is not None
    ):
        return "bounce"
    local_part = from_address.partition("@")[0]
    raw_from = _header_value(msg, "from")
    if local_part in ("mailer-daemon", "mail-daemon", "mailerdaemon") or "mailer-daemon@" in raw_from:
        return "bounce"
    if local_part in _BOUNCE_SENDERS and _BOUNCE_SUBJECT_RE.search(subject):
        return "bounce"
    if "disposition-notification" in reports:
        return "auto_reply"
    auto_submitted = _header_value(msg, "auto-submitted").split(";", 1)[0].strip()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply"
    if _raw_header(msg, "x-autoreply") is not None or _raw_header(msg, "x-autorespond") is not None:
        return "auto_reply"
    if _header_value(msg, "x-autogenerated") in ("reply", "forward") or _raw_header(msg, "x-autoreply-from"):
        return "auto_reply"
    precedence = _header_value(msg, "precedence")
    if precedence == "auto_reply" or _AUTO_REPLY_SUBJECT_RE.search(subject):
        return "auto_reply"
    if precedence in ("bulk", "junk", "list"):
        return "bulk"
    if _raw_header(msg, "list-id") is not None or _raw_header(msg, "list-unsubscribe") is not None:
        return "bulk"
    return ""


# ---------------------------------------------------------------- entry point


def parse_message(raw: bytes, *, max_depth: int = 20, max_body_chars: int = 1_000_000) -> ParsedMessage:
    """Parse raw message bytes; never raises (problems are reported in ``defects``)."""
    if not raw or raw.isspace():  # (no strip(): that would copy a large message)
        return ParsedMessage(defects=("empty",))
    state = _State("gb18030")
    try:
        return _parse(bytes(raw), state, max_depth, max_body_chars)
    except Exception as exc:  # the contract is to never raise on input
        failure = f"parse failed: {type(exc).__name__}"
    state = _State("gb18030")
    state.defect(failure)
    try:
        return _parse(bytes(raw), state, max_depth, max_body_chars, headers_only=True)
    except Exception as exc:
        state.defect(f"header parse failed: {type(exc).__name__}")
        text, problem = decode_bytes(bytes(raw)[:max_body_chars], None)
        return ParsedMessage(text=text, encoding_problem=problem or state.problem, defects=tuple(state.defects))


def _parse(
    raw: bytes, state: _State, max_depth: int, max_body_chars: int, *, headers_only: bool = False
) -> ParsedMessage:
    skeleton = raw if headers_only else _lift_blocks(raw, state)
    msg = BytesParser(policy=policy.compat32).parsebytes(skeleton, headersonly=headers_only)
    del skeleton
    state.header_charset = _first_charset(msg) or "gb18030"
    _walk(msg, 0, state, (max_depth, max_body_chars))
    subject = _header_text(msg, "subject", state).strip()
    from_name, from_address = _sender(msg, state)
    reply_to = _address_list(msg, ("reply-to",), state, "Reply-To")
    html = "\n".join(state.html_parts)
    text = "\n".join(state.text_parts)
    if not text.strip() and html:
        text = _limited(html_to_text(html), max_body_chars, state, "text/html")
    message_ids = _ids(_raw_header(msg, "message-id"))
    return ParsedMessage(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_ids(_raw_header(msg, "in-reply-to")),
        references=_ids(" ".join(_raw_headers(msg, "references"))),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        to=_address_list(msg, ("to",), state, "To"),
        cc=_address_list(msg, ("cc",), state, "Cc"),
        reply_to=reply_to[0] if reply_to else "",
        date=_date(_raw_header(msg, "date")),
        text=text,
        html=html,
        attachments=tuple(state.attachments),
        auto_kind=_auto_kind(msg, state, subject, from_address),
        encoding_problem=state.problem,
        defects=tuple(state.defects),
    )
