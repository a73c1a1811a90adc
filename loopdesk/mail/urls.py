from django.urls import path

from loopdesk.mail import views

app_name = "mail"
urlpatterns = [
    path("tickets/<str:number>/mail/<int:pk>/html", views.message_html, name="message_html"),
]
