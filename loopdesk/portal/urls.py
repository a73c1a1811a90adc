from django.urls import path

from loopdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("portal/", views.report, name="portal_report"),
    path("portal/embed/<str:key>", views.embed, name="portal_embed"),
    path("portal/t/<str:token>", views.access, name="portal_access"),
    path("portal/signin", views.signin_use, name="portal_signin_use"),
    path("portal/signin/<str:token>", views.signin, name="portal_signin"),
    path("portal/lost", views.lost, name="portal_lost"),
    path("portal/my", views.my_tickets, name="portal_my"),
    path("portal/tickets/<str:number>", views.ticket_page, name="portal_ticket"),
    path("portal/tickets/<str:number>/reply", views.reply, name="portal_reply"),
    path("portal/tickets/<str:number>/plan", views.confirm_plan, name="portal_confirm_plan"),
    path("portal/tickets/<str:number>/verdict", views.verdict, name="portal_verdict"),
    path("portal/tickets/<str:number>/files/<uuid:pk>", views.download, name="portal_file"),
    # agent side (login required)
    path("tickets/<str:number>/portal/revoke", views.revoke_links, name="revoke_links"),
    path("tickets/<str:number>/portal/suggestion", views.decide_suggestion, name="suggestion_verdict"),
]
