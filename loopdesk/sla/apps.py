from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "loopdesk.sla"
    label = "sla"
