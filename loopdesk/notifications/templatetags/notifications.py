"""`{% unread_notifications_count as n %}` for the navigation badge."""

from django import template

from loopdesk.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications_count(context: template.Context) -> int:
    """The signed-in user's unread notifications; 0 for anonymous visitors (no query)."""
    user = getattr(context.get("request"), "user", None)
    return unread_count(user) if user is not None and user.is_authenticated else 0
