from django.contrib import admin
from django.urls import include, path

from loopdesk.api.v1 import api as api_v1
from loopdesk.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("hello", core_views.hello, name="hello"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("loopdesk.accounts.urls")),
    path("", include("loopdesk.customers.urls")),
    path("", include("loopdesk.tickets.urls")),
    path("", include("loopdesk.sla.urls")),
    path("", include("loopdesk.routing.urls")),
    path("", include("loopdesk.notifications.urls")),
    path("", include("loopdesk.attachments.urls")),
    path("", include("loopdesk.mail.urls")),
    path("", include("loopdesk.surveys.urls")),
    path("", include("loopdesk.portal.urls")),
    path("", include("loopdesk.reports.urls")),
    path("", include("loopdesk.search.urls")),
]

handler400 = "loopdesk.core.error_pages.bad_request"
handler403 = "loopdesk.core.error_pages.permission_denied"
handler404 = "loopdesk.core.error_pages.page_not_found"
handler500 = "loopdesk.core.error_pages.server_error"
