from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "loopdesk.core"
    label = "core"
