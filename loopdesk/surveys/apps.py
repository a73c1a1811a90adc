from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "loopdesk.surveys"
    label = "surveys"

    def ready(self) -> None:
        from loopdesk.surveys.receivers import on_event_recorded
        from loopdesk.tickets.events import event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="loopdesk.surveys.receivers")
