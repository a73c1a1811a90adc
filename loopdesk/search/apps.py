from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "loopdesk.search"
    label = "search"

    def ready(self) -> None:
        from loopdesk.search.receivers import on_tickets_written
        from loopdesk.tickets.events import tickets_written

        tickets_written.connect(on_tickets_written, dispatch_uid="loopdesk.search.receivers")
