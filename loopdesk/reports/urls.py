from django.urls import path

from loopdesk.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/weekly-categories", views.weekly, name="weekly"),
]
