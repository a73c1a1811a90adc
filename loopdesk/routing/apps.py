from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_default_routing(sender, using="default", **kwargs) -> None:
    """A fresh database gets every department's assignment settings and the default routing preset."""
    if using != "default":
        return
    from loopdesk.routing.models import RoutingRuleRevision
    from loopdesk.routing.presets import DEFAULT_ROUTING_PRESET
    from loopdesk.routing.setup import apply_routing_preset, ensure_department_settings

    ensure_department_settings()
    if not RoutingRuleRevision.objects.exists():
        apply_routing_preset(DEFAULT_ROUTING_PRESET)


class RoutingConfig(AppConfig):
    name = "loopdesk.routing"
    label = "routing"

    def ready(self) -> None:
        post_migrate.connect(load_default_routing, sender=self, dispatch_uid="loopdesk.routing.defaults")
