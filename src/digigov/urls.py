from django.contrib import admin
from django.urls import include, path

from digigov.api import api
from digigov.identity import staff_views as identity_staff_views

urlpatterns = [
    path("", include("digigov.web.urls")),
    path("", include("digigov.identity.urls")),
    path("", include("digigov.exchange.urls")),
    path("", include("digigov.registers.urls")),
    path("", include("digigov.mycases.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", identity_staff_views.admin_sign_in),
    path("admin/", admin.site.urls),
]

handler400 = "digigov.core.views.bad_request"
handler403 = "digigov.core.views.permission_denied"
handler404 = "digigov.core.views.page_not_found"
handler500 = "digigov.core.views.server_error"
