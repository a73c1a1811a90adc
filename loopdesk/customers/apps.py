from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "loopdesk.customers"
    label = "customers"
