from django.urls import path

from loopdesk.routing import views

app_name = "routing"
urlpatterns = [
    path("routing/dry-run", views.dry_run, name="dry_run"),
    path("routing/workload", views.workload, name="workload"),
    path("routing/reassign/<str:number>", views.reassign, name="reassign"),
    path("tickets/<str:number>/decline", views.decline, name="decline"),
    path("tickets/<str:number>/escalate", views.escalate, name="escalate"),
    path("tickets/<str:number>/approve", views.approve, name="approve"),
]
