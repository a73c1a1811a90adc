from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "loopdesk.mail"
    label = "mail"

    def ready(self) -> None:
        from loopdesk.mail.outbound import deliver_email
        from loopdesk.notifications.models import OutboxMessage
        from loopdesk.notifications.services import DELIVERERS

        DELIVERERS[OutboxMessage.Channel.EMAIL] = deliver_email
