from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "loopdesk.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from loopdesk.scheduling import receivers  # noqa: F401 (connects the task signal receivers)
