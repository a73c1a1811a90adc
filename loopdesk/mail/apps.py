from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_default_templates(sender, using="default", **kwargs) -> None:
    if using == "default":
        from loopdesk.mail.customer_mail import ensure_default_templates

        ensure_default_templates()


class MailConfig(AppConfig):
    name = "loopdesk.mail"
    label = "mail"

    def ready(self) -> None:
        from loopdesk.mail.outbound import deliver_email
        from loopdesk.notifications.models import OutboxMessage
        from loopdesk.notifications.services import DELIVERERS

        DELIVERERS[OutboxMessage.Channel.EMAIL] = deliver_email

        from loopdesk.mail.customer_mail import on_event_recorded
        from loopdesk.tickets.events import event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="loopdesk.mail.customer_mail")
        post_migrate.connect(load_default_templates, sender=self, dispatch_uid="loopdesk.mail.templates")
