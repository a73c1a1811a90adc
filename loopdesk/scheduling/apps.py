from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "loopdesk.scheduling"
    label = "scheduling"
