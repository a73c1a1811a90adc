"""Customer magic-link tokens (R02): 256-bit secrets, stored as SHA-256, checked in constant time. Pure."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32  # 256 bits
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32) is 43 characters


def new_token() -> tuple[str, str]:
    """A fresh token and the SHA-256 hex digest that is the only thing stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, digest(raw)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def is_well_formed(raw: str) -> bool:
    return bool(_SHAPE.match(raw or ""))


def same_digest(raw: str, stored: str) -> bool:
    """Compare the token's digest with a stored one in constant time."""
    return hmac.compare_digest(digest(raw), stored or "")


@dataclass(frozen=True)
class LinkFacts:
    """What decides whether a link still opens its ticket or signs its customer in."""

    kind: str  # "access" or "signin"
    expires_at: dt.datetime | None
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    ticket_closed_at: dt.datetime | None = None
    ticket_archived: bool = False


def is_usable(facts: LinkFacts, *, now: dt.datetime, access_days_after_close: int) -> bool:
    """Access links work until revoked, archived or N days after the ticket closed; sign-in links once, until expiry."""
    if facts.revoked_at is not None:
        return False
    if facts.expires_at is not None and now >= facts.expires_at:
        return False
    if facts.kind == "signin":
        return facts.used_at is None
    if facts.ticket_archived:
        return False
    if facts.ticket_closed_at is not None:
        return now < facts.ticket_closed_at + dt.timedelta(days=access_days_after_close)
    return True


def grant_is_fresh(used_at: dt.datetime | None, *, now: dt.datetime, session_hours: int) -> bool:
    """A sign-in grant opens the customer's tickets for a limited time after the link was used."""
    return used_at is not None and now < used_at + dt.timedelta(hours=session_hours)
