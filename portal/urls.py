from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from licensing.web.views import home
from portal.api.audit import AuditEventViewSet
from portal.api.inbox import InboxViewSet
from portal.api.users import UserViewSet
from portal.api.views import LogoutView, TokenView
from portal.inbox_views import inbox_page, inbox_read
from portal.views import SignInView, SignOutView

router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("users", UserViewSet, basename="user")
router.register("inbox", InboxViewSet, basename="inbox")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
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
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Passwords are set only by their owner, from an e-mailed link (Django's own views;
    # after the include, so that these names reverse to these paths).
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            extra_context={"timeout_days": settings.PASSWORD_RESET_TIMEOUT // 86400}
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api/v1/", include(api_v1)),
    path("inbox/", inbox_page, name="inbox"),
    path("inbox/<int:pk>/read/", inbox_read, name="inbox_read"),
    path("", home, name="home"),
    path("", include("licensing.web.urls")),
]

# JSON under /api/, the usual pages elsewhere.
handler400 = "portal.api.error_views.bad_request"
handler403 = "portal.api.error_views.permission_denied"
handler404 = "portal.api.error_views.page_not_found"
handler500 = "portal.api.error_views.server_error"
