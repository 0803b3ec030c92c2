from django.contrib.auth.views import LoginView
from django.core.cache import cache

MAX_FAILURES = 10
WINDOW_SECONDS = 300


class ThrottledLoginView(LoginView):
    """Sign-in that refuses further attempts from one address after repeated failures (counters in the
    shared database cache, so every worker sees them)."""

    def _key(self) -> str:
        return f"login-failures:{self.request.META.get('REMOTE_ADDR', '')}"

    def post(self, request, *args, **kwargs):
        if cache.get(self._key(), 0) >= MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many failed sign-in attempts. Wait a few minutes and try again.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        try:
            cache.incr(self._key())
        except ValueError:
            cache.set(self._key(), 1, WINDOW_SECONDS)
        return super().form_invalid(form)
