from django.urls import path

from loopdesk.sla import views

app_name = "sla"
urlpatterns = [
    path("sla/at-risk", views.at_risk, name="at_risk"),
]
