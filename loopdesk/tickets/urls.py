from django.urls import path

from loopdesk.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tickets/new", views.new_ticket, name="new"),
    path("tickets/<str:number>", views.detail, name="detail"),
    path("tickets/<str:number>/transition/<str:to>", views.transition, name="transition"),
    path("tickets/<str:number>/reply", views.reply, name="reply"),
    path("tickets/<str:number>/progress", views.progress, name="progress"),
    path("tickets/<str:number>/satisfaction", views.satisfaction, name="satisfaction"),
    path("tickets/<str:number>/archive", views.archive, name="archive"),
    path("tickets/<str:number>/priority", views.change_priority, name="priority"),
    path("tickets/<str:number>/onsite", views.onsite, name="onsite"),
    path("tickets/<str:number>/reveal/<str:field>", views.reveal, name="reveal"),
    path("tickets/<str:number>/form", views.step_form, name="step_form"),
]
