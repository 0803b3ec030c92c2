"""Failed sign-ins, counted by django-axes per account and per client address.

Axes compares one failure count with one limit. The account locks after SIGNIN_ACCOUNT_FAILURE_LIMIT
consecutive failures from any address; an address locks only after SIGNIN_ADDRESS_FAILURE_LIMIT failures
over all accounts. The maintainers' answer for two limits is a handler of one's own (jazzband/django-axes#661):
this one reports the address's count in units of the account limit, so the single comparison axes makes is
true exactly when either count reaches its own limit.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = "Too many failed sign-in attempts. Wait {minutes} minutes and try again, or ask an administrator."


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n proxies in front, the address the
    outermost trusted proxy saw (the n-th entry of X-Forwarded-For from the right). Entries further left are
    whatever the client chose to send and are never believed."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.SIGNIN_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # did not come through every trusted proxy
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _failures(request: HttpRequest, **match: object) -> int:
    attempts = AccessAttempt.objects.filter(**match)
    if get_cool_off(request) is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a separate, higher one per address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        account_limit = settings.SIGNIN_ACCOUNT_FAILURE_LIMIT
        by_account = _failures(request, username=get_client_username(request, credentials))
        by_address = _failures(request, ip_address=request.axes_ip_address)
        return max(by_account, by_address * account_limit // settings.SIGNIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears that account's failures (they were not consecutive any more), not the
        address's: one good password must not wipe the record of guesses at other accounts."""
        deleted, _ = AccessAttempt.objects.filter(username=get_client_username(request, credentials)).delete()
        return deleted


def lockout_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0


def lockout_message(request: HttpRequest | None = None) -> str:
    return LOCKED_MESSAGE.format(minutes=lockout_minutes(request))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked sign-in form answers (AXES_LOCKOUT_CALLABLE): the locked page, status 429."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(request), "code": "locked_out"}, status=429)
    context = {"message": lockout_message(request), "minutes": lockout_minutes(request)}
    return render(request, "registration/locked_out.html", context, status=429)
