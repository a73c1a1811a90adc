from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_default_sla(sender, using="default", **kwargs) -> None:
    """A fresh database gets the default SLA preset and its calendars (an admin may switch presets)."""
    if using != "default":
        return
    from loopdesk.sla.models import SlaPolicy
    from loopdesk.sla.presets import DEFAULT_SLA_PRESET
    from loopdesk.sla.setup import apply_sla_preset, ensure_calendars

    ensure_calendars()
    if not SlaPolicy.objects.exists():
        apply_sla_preset(DEFAULT_SLA_PRESET)


class SlaConfig(AppConfig):
    name = "loopdesk.sla"
    label = "sla"

    def ready(self) -> None:
        post_migrate.connect(load_default_sla, sender=self, dispatch_uid="loopdesk.sla.defaults")
