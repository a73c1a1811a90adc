from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "loopdesk.surveys"
    label = "surveys"
