from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "loopdesk.tickets"
    label = "tickets"
