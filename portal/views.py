from django.contrib.auth.views import LoginView

from portal.signin.forms import SignInForm


class SignInView(LoginView):
    """/accounts/login/: Django's sign-in with the staff one-time code. Failed attempts are counted and locked
    by django-axes (its backend and middleware), like every other sign-in path."""

    form_class = SignInForm
