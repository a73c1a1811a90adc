from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "loopdesk.notifications"
    label = "notifications"
