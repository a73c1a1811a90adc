"""Which ticket a message belongs to, as far as its headers and subject tell; signed outbound ids. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

# Reply and forward prefixes of common clients, Chinese ones included (QQ Mail, 163, Foxmail, Outlook zh-CN).
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|vs|antw|回复|回覆|答复|转发|轉寄|转寄)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_TICKET = re.compile(r"[\[【\(（]\s*#?(P\d{11,})\s*[\]】\)）]")
_SPACE = re.compile(r"\s+")


def normalize_subject(subject: str) -> str:
    """The subject without reply/forward prefixes, ticket tokens, case and spacing differences."""
    text = unicodedata.normalize("NFKC", subject or "")
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", _TICKET.sub("", text)).strip()
    return _SPACE.sub(" ", text).casefold()[:255]


def ticket_number_in_subject(subject: str) -> str | None:
    """The ticket number written as [P20240315001] (or 【】/() brackets) in a subject, if any."""
    match = _TICKET.search(unicodedata.normalize("NFKC", subject or ""))
    return match.group(1) if match else None


def _signature(number: str, nonce: str, key: bytes) -> str:
    return hmac.new(key, f"{number}.{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def outbound_message_id(number: str, nonce: str, key: bytes, domain: str) -> str:
    """A Message-ID (without <>) naming the ticket, signed so a forged reference cannot join a ticket."""
    return f"{number}.{nonce}.{_signature(number, nonce, key)}@{domain}"


def ticket_number_from_message_id(message_id: str, key: bytes) -> str | None:
    """The ticket number of one of our own Message-IDs whose signature verifies, else None."""
    local = (message_id or "").strip("<> ").split("@", 1)[0]
    parts = local.split(".")
    if len(parts) != 3 or not re.fullmatch(r"P\d{11,}", parts[0]):
        return None
    number, nonce, signature = parts
    return number if hmac.compare_digest(signature, _signature(number, nonce, key)) else None
