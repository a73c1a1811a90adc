from django.urls import path

from loopdesk.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/read", views.read, name="read"),
    path("notifications/read-all", views.read_all, name="read_all"),
]
