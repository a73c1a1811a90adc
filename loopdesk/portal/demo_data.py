"""Demo data for the portal: one widget site whose form can be tried on the local server."""

from __future__ import annotations

from loopdesk.portal.models import WidgetSite

DEMO_KEY = "ws_demo_shop_2026"


def create_demo_widget_site() -> WidgetSite:
    """The demo shop's widget (embed at /portal/embed/ws_demo_shop_2026), allowed on the local demo server."""
    site, _created = WidgetSite.objects.get_or_create(
        public_key=DEMO_KEY,
        defaults={"name": "演示商城 Demo shop", "allowed_origins": "http://127.0.0.1:8000\nhttp://localhost:8000"},
    )
    return site
