from django.urls import path

from loopdesk.surveys import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>", views.answer, name="answer"),
    path("callbacks", views.callback_queue, name="callback_queue"),
    path("callbacks/<int:pk>", views.callback, name="callback"),
    path("callbacks/<int:pk>/reveal", views.callback_reveal, name="callback_reveal"),
    path("callbacks/<int:pk>/attempt", views.callback_attempt, name="callback_attempt"),
    path("callbacks/<int:pk>/answer", views.callback_answer, name="callback_answer"),
]
