from django.urls import path

from loopdesk.customers import views

app_name = "customers"
urlpatterns = [
    path("customers/lookup", views.lookup, name="lookup"),
    path("customers/<str:public_id>", views.detail, name="detail"),
]
