"""Django's error handlers (400, 403, 404, 500) answering JSON under /api/ and the usual pages elsewhere.

They catch what never reaches DRF's exception handler: unknown URLs, errors raised in middleware, and bugs."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from portal.api.parsers import too_large

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        error = too_large()
        return JsonResponse({"detail": str(error.detail), "code": error.default_code}, status=error.status_code)
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": "You do not have permission to do this.", "code": "permission_denied"}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    detail = "No such API address: see /api/v1/docs/ for the ones there are."
    return JsonResponse({"detail": detail, "code": "not_found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if not _is_api(request):
        return defaults.server_error(request)
    detail = "Something went wrong on our side; it has been logged. Try again later."
    return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
