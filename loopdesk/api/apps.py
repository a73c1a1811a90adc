from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "loopdesk.api"
    label = "api"
