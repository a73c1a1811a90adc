from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportsConfig(AppConfig):
    name = "loopdesk.reports"
    label = "reports"

    def ready(self) -> None:
        from loopdesk.reports.receivers import on_event_saved
        from loopdesk.tickets.models import TicketEvent

        # post_save, not event_recorded: the SLA sweep writes its breach events without the signal, and the
        # counters must see every event; both run inside the writer's transaction.
        post_save.connect(on_event_saved, sender=TicketEvent, dispatch_uid="loopdesk.reports.receivers")
