from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from portal.signin.forms import SignInForm


class SignInView(LoginView):
    """/accounts/login/: Django's sign-in with the staff one-time code. Failed attempts are counted and locked
    by django-axes (its backend and middleware), like every other sign-in path."""

    form_class = SignInForm


class SignOutView(LogoutView):
    """/accounts/logout/: a link or a typed address (GET) shows what signing out does and a button; only the
    button's POST signs out, so no page can sign someone out by a link or an image."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/logout_confirm.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return TemplateResponse(request, self.template_name, {"admin": request.GET.get("from") == "admin"})

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response
