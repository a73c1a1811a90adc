from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "loopdesk.portal"
    label = "portal"
