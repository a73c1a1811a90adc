from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportsConfig(AppConfig):
    name = "loopdesk.reports"
    label = "reports"

    def ready(self) -> None:
        from loopdesk.reports.receivers import on_event_saved, on_tickets_written
        from loopdesk.tickets.events import tickets_written
        from loopdesk.tickets.models import TicketEvent

        # post_save, not event_recorded: the SLA sweep writes its breach events without the signal, and the
        # counters must see every event. Within a service call (clocks_synced_once) the events are noted and
        # counted together on tickets_written, which the call sends at its end; outside one, each at once.
        # Both run inside the writer's transaction.
        post_save.connect(on_event_saved, sender=TicketEvent, dispatch_uid="loopdesk.reports.receivers")
        tickets_written.connect(on_tickets_written, dispatch_uid="loopdesk.reports.receivers.tickets_written")
