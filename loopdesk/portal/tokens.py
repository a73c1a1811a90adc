"""Customer magic links (R02): when an access or sign-in link still works. Pure; the tokens themselves are
`loopdesk.core.tokens`, shared with the survey links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from loopdesk.core import tokens as bearer
from loopdesk.core.tokens import digest, is_well_formed, same_digest

__all__ = ["LinkFacts", "digest", "grant_is_fresh", "is_usable", "is_well_formed", "new_token", "same_digest"]


def new_token() -> tuple[str, str]:
    """A fresh token and the SHA-256 hex digest that is the only thing stored."""
    raw = bearer.new_token()
    return raw, digest(raw)


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
