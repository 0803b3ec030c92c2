"""Hostile input to the API: every answer is JSON with the right status, never a 500 and never a partial write."""

import json

import pytest
from django.db import IntegrityError
from django.test import Client, override_settings
from django.urls import path
from rest_framework.test import APIClient
from rest_framework.views import APIView

from portal.api.exception_handler import handle_exception
from portal.urls import urlpatterns as portal_urlpatterns
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def as_user(*roles, **membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(*roles, **membership))
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_json(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


# Deeply nested JSON: refused by the parser before anything recurses over it


@pytest.mark.parametrize("depth", [100_000, 5_000, 200])
@pytest.mark.parametrize(
    ("roles", "url"),
    [
        (("exporter",), "/api/v1/determinations/"),
        (("exporter",), "/api/v1/applications/"),
        (("policy_admin",), "/api/v1/policy/"),
        (("negotiator",), "/api/v1/agreements/"),
    ],
)
def test_deeply_nested_json_is_a_400_that_says_so(roles, url, depth):
    client = as_user(*roles)
    before = f.db_state()
    response = client.post(url, '{"items": ' + nested(depth) + "}", content_type="application/json")
    answer = assert_json(response, 400)
    assert "nested" in answer["detail"]
    assert f.db_state() == before


def test_brackets_inside_strings_do_not_count_as_nesting():
    client = as_user("exporter")
    body = f.application_body()
    body["end_use"] = "[" * 3000 + ' "quoted \\" {{{ ' + "]" * 10
    response = client.post("/api/v1/applications/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content[:500]


def test_ordinary_nesting_is_accepted():
    response = as_user("exporter").post("/api/v1/applications/", f.application_body(), format="json")
    assert response.status_code == 201, response.content[:500]


# Partial changes whose nested parts are incomplete


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [{"quantity": 1}]}, "product"),
        ({"items": [{"product": 1}]}, "quantity"),
        ({"items": [{}]}, "product"),
        ({"parties": {"ultimate_consignee": {"name": "Gulf Compute LLC"}}}, "country"),
        ({"parties": {}}, "ultimate_consignee"),
    ],
    ids=repr,
)
def test_a_patch_with_incomplete_nested_parts_is_a_400(body, field):
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    before = f.db_state()
    response = client.patch(f"/api/v1/applications/{application.pk}/", body, format="json")
    answer = assert_json(response, 400)
    assert field in json.dumps(answer)
    assert f.db_state() == before


def test_a_patch_of_parties_without_optional_lists_replaces_them_with_empty_ones():
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    consignee = {"name": "New Consignee", "address": "2 Data Park", "country": "IN"}
    response = client.patch(
        f"/api/v1/applications/{application.pk}/", {"parties": {"ultimate_consignee": consignee}}, format="json"
    )
    assert response.status_code == 200, response.content[:500]
    parties = response.json()["parties"]
    assert parties["ultimate_consignee"]["name"] == "New Consignee"
    assert parties["end_users"] == []


def test_a_patch_of_one_scalar_field_keeps_the_rest():
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    response = client.patch(f"/api/v1/applications/{application.pk}/", {"end_use": "Inference"}, format="json")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["end_use"] == "Inference"
    assert response.json()["items"][0]["quantity"] == 5000


# "" and null where they are not allowed


@pytest.mark.parametrize("value", ["", "soon", 5, []], ids=repr)
def test_a_switch_with_an_empty_or_malformed_effective_from_is_refused_not_taken_as_now(value):
    client = as_user("policy_admin")
    before = f.db_state()
    body = {"kind": "global", "reason": "Global regime", "effective_from": value}
    response = client.post("/api/v1/policy/", body, format="json")
    answer = assert_json(response, 400)
    assert "effective_from" in answer
    assert f.db_state() == before


def test_a_switch_with_a_null_effective_from_waits_for_its_approval():
    """SPEC § 5.3 v2: `"effective_from": null` proposes a switch in force from its approval — never "now"."""
    from agreements.selectors import policy_in_force

    client = as_user("policy_admin")
    in_force = policy_in_force()
    body = {"kind": "global", "reason": "Global regime", "effective_from": None}
    answer = assert_json(client.post("/api/v1/policy/", body, format="json"), 201)
    assert (answer["status"], answer["effective_from"]) == ("proposed", None)
    assert policy_in_force() == in_force


@pytest.mark.parametrize("value", ["null", "", "0", "-1", "abc", "1.5"])
@pytest.mark.parametrize("url", ["/api/v1/applications/", "/api/v1/audit-events/"])
def test_a_bad_page_size_is_a_400(url, value):
    client = as_user("licensing_officer")
    answer = assert_json(client.get(url, {"page_size": value}), 400)
    assert "page_size" in answer


def test_a_page_size_above_the_maximum_is_capped_and_a_good_one_is_used():
    client = as_user("licensing_officer")
    assert client.get("/api/v1/applications/", {"page_size": "5000"}).status_code == 200
    assert client.get("/api/v1/applications/", {"page_size": "2"}).status_code == 200


def test_a_forged_cursor_is_a_400():
    client = as_user("licensing_officer")
    answer = assert_json(client.get("/api/v1/applications/", {"cursor": "not-a-cursor"}), 400)
    assert "cursor" in answer


# Integrity errors: a uniqueness race is a 409; anything else is not reported as one


def test_a_not_null_violation_is_not_reported_as_a_race():
    error = IntegrityError('null value in column "reason" of relation "agreements_policy" violates not-null constraint')
    response = handle_exception(error, {})
    assert response.status_code != 409
    assert "same moment" not in response.data["detail"]


@pytest.mark.parametrize(
    ("sqlstate", "status", "words"),
    [
        ("23505", 409, "same moment"),  # unique_violation: a lost race
        ("23P01", 409, "same moment"),  # exclusion_violation: overlapping periods saved concurrently
        ("23503", 409, "changed or removed meanwhile"),  # foreign_key_violation
        ("23502", 400, "incomplete"),  # not_null_violation: a gap in validation, not a race
        ("23514", 400, "incomplete"),  # check_violation
    ],
)
def test_postgresql_integrity_errors_are_told_apart_by_sqlstate(sqlstate, status, words):
    class Cause(Exception):
        pass

    cause = Cause("violates a constraint")
    cause.sqlstate = sqlstate
    error = IntegrityError("violates a constraint")
    error.__cause__ = cause
    response = handle_exception(error, {})
    assert response.status_code == status
    assert words in response.data["detail"]


def test_a_unique_violation_on_sqlite_wording_is_still_a_409():
    response = handle_exception(IntegrityError("UNIQUE constraint failed: licensing_application.acn"), {})
    assert response.status_code == 409
    assert "same moment" in response.data["detail"]


# Every API error is JSON


def test_an_unknown_api_url_is_a_json_404():
    answer = assert_json(as_user("exporter").get("/api/v1/no-such-thing/"), 404)
    assert answer["detail"]


def test_an_unknown_api_url_is_a_json_404_for_anonymous_callers_too():
    assert_json(Client().get("/api/v2/"), 404)


def test_a_page_url_still_answers_html_404():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_json_405():
    answer = assert_json(as_user("exporter").delete("/api/v1/applications/"), 405)
    assert "DELETE" in answer["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_too_large_is_a_json_413(content_type):
    client = as_user("exporter")
    before = f.db_state()
    big = json.dumps({"end_use": "x" * 20_000}) if content_type == "application/json" else "end_use=" + "x" * 20_000
    response = client.post("/api/v1/applications/", big, content_type=content_type)
    answer = assert_json(response, 413)
    assert "too large" in answer["detail"]
    assert f.db_state() == before


def test_the_upload_limit_is_set_deliberately():
    from django.conf import settings

    assert 100_000 <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


class Explodes(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns = [path("api/v1/explodes/", Explodes.as_view()), path("explodes/", Explodes.as_view())]
urlpatterns += portal_urlpatterns
handler500 = "portal.api.error_views.server_error"
handler404 = "portal.api.error_views.page_not_found"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_on_the_api_is_a_json_500():
    client = Client(raise_request_exception=False)
    answer = assert_json(client.get("/api/v1/explodes/"), 500)
    assert "a bug" not in json.dumps(answer)  # no internals
    assert answer["detail"]


def test_the_portal_urls_name_the_json_error_handlers():
    import portal.urls

    assert portal.urls.handler404 == "portal.api.error_views.page_not_found"
    assert portal.urls.handler500 == "portal.api.error_views.server_error"
    assert portal.urls.handler400 == "portal.api.error_views.bad_request"
    assert portal.urls.handler403 == "portal.api.error_views.permission_denied"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_on_a_page_stays_html():
    client = Client(raise_request_exception=False)
    response = client.get("/explodes/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
