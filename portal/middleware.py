"""Cross-cutting response headers that no view should have to remember."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class ApiNoStoreMiddleware:
    """API answers carry case data and tokens: no browser or proxy cache may keep them (`Cache-Control: no-store`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            response["Cache-Control"] = "no-store"
        return response
