from django.urls import path

from loopdesk.attachments import views

app_name = "attachments"
urlpatterns = [
    path("tickets/<str:number>/files/<uuid:pk>", views.download, name="download"),
]
