from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "loopdesk.search"
    label = "search"

    def ready(self) -> None:
        from loopdesk.search.receivers import on_tickets_written
        from loopdesk.search.selectors import text_filter
        from loopdesk.tickets import selectors
        from loopdesk.tickets.events import tickets_written

        tickets_written.connect(on_tickets_written, dispatch_uid="loopdesk.search.receivers")
        if text_filter not in selectors.TEXT_MATCHERS:
            selectors.TEXT_MATCHERS.append(text_filter)
