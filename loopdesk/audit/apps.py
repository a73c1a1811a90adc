from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "loopdesk.audit"
    label = "audit"
