"""The portal's panel on the agent's ticket page: customer links (revoke) and the suggestion verdict."""

from __future__ import annotations

from django import template

from loopdesk.portal import suggestions
from loopdesk.portal.forms import SuggestionVerdictForm
from loopdesk.portal.models import CustomerLink

register = template.Library()


def _form(request, number: str) -> SuggestionVerdictForm:
    """A refused decision comes back with what was typed (kept once in the session by the view)."""
    draft = request.session.get("portal_suggestion_draft")
    if draft and draft.get("number") == number:
        del request.session["portal_suggestion_draft"]
        return SuggestionVerdictForm(initial={"adopted": draft.get("adopted"), "reason": draft.get("reason")})
    return SuggestionVerdictForm()


@register.inclusion_tag("portal/_agent_panel.html", takes_context=True)
def portal_agent_panel(context) -> dict:
    ticket, user = context["ticket"], context["request"].user
    category = ticket.category.code if ticket.category_id else ""
    department = ticket.owner_department.code if ticket.owner_department_id else ""
    user_department = user.department.code if getattr(user, "department", None) else ""
    is_suggestion = suggestions.is_suggestion(category, department)
    panel = {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "active_links": CustomerLink.objects.filter(ticket=ticket, revoked_at=None).count(),
        "can_revoke": user.has_perm("tickets.add_reply") or ticket.owner_id == user.pk,
        "is_suggestion": is_suggestion,
        "can_decide": False,
    }
    if not is_suggestion:  # verdicts, the roles and the form are for suggestions only (two queries saved)
        return panel
    roles = {g.name for g in user.groups.all()}
    return {
        **panel,
        "can_decide": not ticket.is_archived
        and suggestions.may_decide(department_code=user_department, roles=roles, is_superuser=user.is_superuser),
        "verdicts": list(ticket.suggestion_verdicts.select_related("decided_by")[:5]),
        "form": _form(context["request"], ticket.number),
    }
