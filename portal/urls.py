from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from licensing.web.views import home
from portal.api.audit import AuditEventViewSet
from portal.api.views import TokenView
from portal.views import ThrottledLoginView

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script under the CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"), name="api-redoc"
    ),
    path("", include("agreements.api.urls")),
    path("", include("licensing.api.urls")),
    *router.urls,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("", home, name="home"),
    path("", include("licensing.web.urls")),
]

# JSON under /api/, the usual pages elsewhere.
handler400 = "portal.api.error_views.bad_request"
handler403 = "portal.api.error_views.permission_denied"
handler404 = "portal.api.error_views.page_not_found"
handler500 = "portal.api.error_views.server_error"
