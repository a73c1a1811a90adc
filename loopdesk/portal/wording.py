"""What the customer reads: each status in plain words, and which timeline events they may see. Pure."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loopdesk.tickets.workflow import Status

CUSTOMER_STATUS: dict[Status, Promise] = {
    Status.NEW: _("We have received your report."),
    Status.TRIAGED: _("We are looking at your report and choosing who handles it."),
    Status.ASSIGNED: _("A specialist team has been given your report."),
    Status.ACCEPTED: _("A specialist team has taken on your report."),
    Status.IN_PROGRESS: _("We are working on it."),
    Status.WAITING_CUSTOMER: _("We are waiting for information from you."),
    Status.RESOLVED: _("We believe the problem is solved. Please tell us whether it is."),
    Status.NOTIFIED: _("We believe the problem is solved. Please tell us whether it is."),
    Status.CLOSED: _("Done: this case is closed."),
    Status.REOPENED: _("We are handling your report again."),
}

# Milestones shown on the customer's timeline (label only, never the internal text).
MILESTONES: dict[str, Promise] = {
    "created": _("Report received"),
    "accepted": _("Taken on by the team"),
    "started": _("Work started"),
    "onsite_arrived": _("Engineer arrived on site"),
    "resolved": _("Solved"),
    "closed": _("Case closed"),
    "reopened": _("Handling again"),
    "customer_confirmed": _("Your answer"),
    "satisfaction_recorded": _("Your rating"),
}
# Conversation events: shown with their text when they are public.
CONVERSATION = frozenset({"replied", "customer_replied", "notified", "suggestion_decided"})


def customer_status(status: str) -> str:
    try:
        return str(CUSTOMER_STATUS[Status(status)])
    except ValueError:
        return ""


def is_visible(kind: str, *, is_public: bool) -> bool:
    """Customers see milestones and public conversation; internal notes and everything else never."""
    if kind in CONVERSATION:
        return is_public
    return kind in MILESTONES
