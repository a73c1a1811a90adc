from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "loopdesk.attachments"
    label = "attachments"
