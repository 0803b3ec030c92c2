"""Bad input through the API: a 400 (or a 409 when a rule refuses it now) with a message, never a 500,
and never a partial write."""

import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from licensing import services
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def as_user(*roles, **membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(*roles, **membership))
    return client


@pytest.fixture
def exporter():
    return as_user("exporter", organisation="Acme AI Systems Inc.")


def refused(client, method, url, body, status=400, *, field=None, raw=None):
    """The call is answered `status` with a message (naming `field` when given) and writes nothing."""
    before = f.db_state()
    if raw is not None:
        response = getattr(client, method)(url, raw, content_type="application/json")
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer, "a refusal says why"
    if field:
        assert field in json.dumps(answer), answer
    if status == 409:
        assert answer["detail"]
    assert f.db_state() == before
    return answer


def body_with(**changes):
    body = f.application_body()
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[int(parent)] if parent.isdigit() else target[parent]
        target[leaf] = value
    return body


# Creating an application


QUANTITIES = [-1, 0, 1.5, "abc", "", None, True, 10_000_001, 10**30, [5], {"n": 5}]


@pytest.mark.parametrize("quantity", QUANTITIES, ids=repr)
def test_bad_quantities_are_refused(exporter, quantity):
    refused(exporter, "post", "/api/v1/applications/", body_with(items__0__quantity=quantity), field="quantity")


@pytest.mark.parametrize("product", [999_999, 0, -3, "H100", None, 1.5], ids=repr)
def test_unknown_products_are_refused(exporter, product):
    answer = refused(exporter, "post", "/api/v1/applications/", body_with(items__0__product=product), field="items")
    if product == 999_999:
        assert "Unknown product(s) 999999" in json.dumps(answer)


@pytest.mark.parametrize("code", ["XX", "India", "", "I", 12, None, ["IN"]], ids=repr)
def test_unknown_destinations_are_refused(exporter, code):
    refused(exporter, "post", "/api/v1/applications/", body_with(destination=code), field="destination")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"parties__ultimate_consignee": None}, id="consignee-null"),
        pytest.param({"parties__ultimate_consignee__name": ""}, id="consignee-empty-name"),
        pytest.param({"parties__ultimate_consignee__name": "   "}, id="consignee-blank-name"),
        pytest.param({"parties__ultimate_consignee__country": "ZZ"}, id="consignee-unknown-country"),
        pytest.param({"parties__end_users__0__name": ""}, id="end-user-empty-name"),
        pytest.param({"parties__end_users__0__hq_country": "ZZ"}, id="end-user-unknown-hq"),
        pytest.param({"parties__end_users": {"name": "X"}}, id="end-users-not-a-list"),
        pytest.param({"parties__intermediate_consignees": [{"address": "Somewhere"}]}, id="intermediate-no-name"),
        pytest.param({"parties__purchaser": {"name": "P"}}, id="purchaser-without-country"),
        pytest.param({"parties": None}, id="parties-null"),
        pytest.param({"parties": []}, id="parties-list"),
        pytest.param({"parties": "Gulf Compute"}, id="parties-string"),
        pytest.param({"parties__ultimate_consignee__name": "x" * 201}, id="name-too-long"),
    ],
)
def test_missing_or_malformed_parties_are_refused(exporter, changes):
    refused(exporter, "post", "/api/v1/applications/", body_with(**changes), field="parties")


def test_an_application_without_parties_is_refused(exporter):
    body = f.application_body()
    del body["parties"]
    refused(exporter, "post", "/api/v1/applications/", body, field="parties")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": []}, "items"),
        ({"items": None}, "items"),
        ({"items": {"product": 1, "quantity": 1}}, "items"),
        ({"items": [1, 2]}, "items"),
        ({"items": [{"product": None, "quantity": None}]}, "product"),
        ({"items__0__unit_price_usd": "-1"}, "unit_price_usd"),
        ({"items__0__unit_price_usd": "abc"}, "unit_price_usd"),
        ({"items__0__unit_price_usd": "1e20"}, "unit_price_usd"),
        ({"items__0__unit_price_usd": "NaN"}, "unit_price_usd"),
        ({"items__0__unit_price_usd": "-Infinity"}, "unit_price_usd"),
        ({"end_use": "Training\x00cluster"}, "end_use"),
        ({"parties__ultimate_consignee__name": "Gulf\x00Compute"}, "name"),
        ({"parties__end_users": [{"name": "E", "country": "IN"}] * 51}, "end_users"),
        ({"end_use_category": "weapons"}, "end_use_category"),
        ({"end_use": ""}, "end_use"),
        ({"end_use": "x" * 4001}, "end_use"),
        ({"end_use": None}, "end_use"),
    ],
    ids=repr,
)
def test_malformed_fields_are_refused(exporter, changes, field):
    refused(exporter, "post", "/api/v1/applications/", body_with(**changes), field=field)


def test_the_same_product_on_two_lines_is_refused(exporter):
    body = f.application_body()
    body["items"] *= 2
    refused(exporter, "post", "/api/v1/applications/", body, field="items")


def test_too_many_lines_are_refused(exporter):
    body = f.application_body()
    body["items"] = body["items"] * 101
    refused(exporter, "post", "/api/v1/applications/", body, field="items")


@pytest.mark.parametrize(
    "raw",
    ['{"destination": "IN",', "not json", '{"destination": NaN}', "[]", '"a string"', "null", "42", "{}"],
    ids=repr,
)
def test_malformed_json_and_wrong_shapes_are_refused(exporter, raw):
    refused(exporter, "post", "/api/v1/applications/", None, raw=raw)


def test_null_everywhere_is_refused(exporter):
    body = dict.fromkeys(f.application_body())
    answer = refused(exporter, "post", "/api/v1/applications/", body)
    assert set(answer) == set(body)  # every field says what is wrong with it


def test_a_form_encoded_body_of_the_wrong_type_is_refused(exporter):
    before = f.db_state()
    response = exporter.post("/api/v1/applications/", "destination=IN", content_type="text/plain")
    assert response.status_code == 415
    assert f.db_state() == before


# Changing an application


def test_patch_after_submit_is_a_conflict():
    application = f.submitted(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    answer = refused(client, "patch", f"/api/v1/applications/{application.pk}/", {"end_use": "Other"}, 409)
    assert "draft" in answer["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"product": 1, "quantity": -5}]},
        {"parties": {"end_users": []}},  # no ultimate consignee left
        {"destination": None},
        {"destination": "ZZ"},
    ],
    ids=repr,
)
def test_a_bad_patch_leaves_the_draft_untouched(body):
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    refused(client, "patch", f"/api/v1/applications/{application.pk}/", body)
    assert application.lines.get().quantity == 5000


@pytest.mark.parametrize("raw", ["[]", "null", "[1]"], ids=repr)
def test_a_patch_that_is_not_an_object_is_refused(raw):
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    refused(client, "patch", f"/api/v1/applications/{application.pk}/", None, raw=raw)


# Actions


def officer_client():
    return as_user("licensing_officer")


@pytest.mark.parametrize(
    "agencies", [["treasury"], ["commerce"], [], "defense", None, [None], [["defense"]], ["x" * 50]], ids=repr
)
def test_referral_to_an_unknown_agency_is_refused(agencies):
    application = f.under_review()
    answer = refused(officer_client(), "post", f"/api/v1/applications/{application.pk}/refer/", {"agencies": agencies})
    assert "agencies" in answer


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("request-info", {"question": ""}, "question"),
        ("request-info", {}, "question"),
        ("recommend", {"recommendation": "maybe", "rationale": "x"}, "recommendation"),
        ("recommend", {"recommendation": "approve", "rationale": ""}, "rationale"),
        ("recommend", {"recommendation": None}, "recommendation"),
        ("return", {"reason": ""}, "reason"),
        ("return", {}, "reason"),
        ("return", {"reason": None}, "reason"),
    ],
    ids=repr,
)
def test_officer_actions_without_their_text_are_refused(action, body, field):
    application = f.under_review()
    refused(officer_client(), "post", f"/api/v1/applications/{application.pk}/{action}/", body, field=field)


@pytest.mark.parametrize("raw", ["[]", "null", '"x"', "{"], ids=repr)
@pytest.mark.parametrize("action", ["request-info", "refer", "recommend", "return"])
def test_officer_action_bodies_of_the_wrong_shape_are_refused(action, raw):
    application = f.under_review()
    refused(officer_client(), "post", f"/api/v1/applications/{application.pk}/{action}/", None, raw=raw)


@pytest.mark.parametrize(
    ("action", "state", "status"),
    [
        ("start-review", f.under_review, 409),
        ("request-info", f.submitted, 409),
        ("refer", f.referred, 409),
        ("recommend", f.info_requested, 409),
        ("return", f.info_requested, 409),
    ],
)
def test_officer_actions_in_the_wrong_state_are_conflicts(action, state, status):
    application = state()
    body = {"question": "Q", "agencies": ["energy"], "recommendation": "approve", "rationale": "R", "reason": "R"}
    answer = refused(officer_client(), "post", f"/api/v1/applications/{application.pk}/{action}/", body, status)
    assert application.status in answer["detail"]


def test_answering_without_text_or_without_a_question_is_refused():
    application = f.info_requested(make_user("exporter", organisation="Acme AI Systems Inc."))
    client = APIClient()
    client.force_authenticate(application.created_by)
    refused(client, "post", f"/api/v1/applications/{application.pk}/respond/", {"answer": "  "}, field="answer")
    other = f.under_review(application.created_by)
    refused(client, "post", f"/api/v1/applications/{other.pk}/respond/", {"answer": "Unasked"}, 409)


def test_submitting_uncontrolled_items_is_a_conflict_that_says_so():
    application = f.draft(make_user("exporter", organisation="Acme AI Systems Inc."), items=[("H20", 100)])
    client = APIClient()
    client.force_authenticate(application.created_by)
    answer = refused(client, "post", f"/api/v1/applications/{application.pk}/submit/", None, 409)
    assert "not controlled" in answer["detail"].lower()


def test_unanswerable_agency_recommendations_are_refused():
    application = f.referred()
    defense = as_user("agency_reviewer", agency="defense")
    url = f"/api/v1/applications/{application.pk}/agency-recommendation/"
    refused(defense, "post", url, {"recommendation": "perhaps"}, field="recommendation")
    refused(defense, "post", url, None, raw="[]")
    defense.post(url, {"recommendation": "approve"}, format="json")
    refused(defense, "post", url, {"recommendation": "deny"}, 409)  # answered already, and back under review


def test_a_referral_after_one_lapsed_is_not_a_server_error():
    """Re-referring to an agency whose earlier referral lapsed used to hit the one-open-referral constraint."""
    import datetime
    from unittest import mock

    officer = make_user("licensing_officer")
    application = f.referred(officer=officer)
    client = APIClient()
    client.force_authenticate(officer)
    later = timezone.now() + datetime.timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.post(f"/api/v1/applications/{application.pk}/start-review/").status_code == 200
        response = client.post(
            f"/api/v1/applications/{application.pk}/refer/", {"agencies": ["defense"]}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "referred"


# Decisions


def approver_client():
    return as_user("approving_official")


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"product": "H100 SXM", "quantity": 0}], "quantity"),
        ([{"product": "H100 SXM", "quantity": -1}], "quantity"),
        ([{"product": "H100 SXM", "quantity": 2.5}], "quantity"),
        ([{"product": "H100 SXM", "quantity": "many"}], "quantity"),
        ([{"product": "H100 SXM", "quantity": 5001}], "requested"),
        ([{"product": "H100 SXM", "quantity": 10**40}], "quantity"),
        ([{"product": "H20", "quantity": 10}], "not controlled"),
        ([{"product": "H200 SXM", "quantity": 10}], "not on this application"),
        ([{"product": 999_999, "quantity": 10}], "Unknown product"),
        ([], "items"),
        (None, "items"),
        ("everything", "items"),
    ],
    ids=repr,
)
def test_bad_approvals_are_refused(items, field):
    application = f.recommended(items=[("H100 SXM", 5000), ("H20", 10)])
    if isinstance(items, list):
        items = [
            {**item, "product": f.product(item["product"]).pk if isinstance(item["product"], str) else item["product"]}
            for item in items
        ]
    url = f"/api/v1/applications/{application.pk}/approve/"
    refused(approver_client(), "post", url, {"items": items}, field=field)


@pytest.mark.parametrize(
    "body",
    [{"conditions": None}, {"conditions": [""]}, {"conditions": "No re-export"}, {"justification": None}],
    ids=repr,
)
def test_bad_approval_conditions_are_refused(body):
    application = f.recommended()
    refused(approver_client(), "post", f"/api/v1/applications/{application.pk}/approve/", body)


def test_approving_twice_is_a_conflict():
    application = f.recommended()
    client = approver_client()
    url = f"/api/v1/applications/{application.pk}/approve/"
    assert client.post(url, {}, format="json").status_code == 200
    answer = refused(client, "post", url, {}, 409)
    assert "approved" in answer["detail"]
    refused(client, "post", f"/api/v1/applications/{application.pk}/deny/", {"reason": "Too late"}, 409)


def test_approval_beyond_the_allotment_is_a_conflict_with_or_without_justification():
    application = f.recommended(quantity=5000)
    f.shrink_allotment(f.tier2_allotment(), leave_tpp=100)
    url = f"/api/v1/applications/{application.pk}/approve/"
    client = approver_client()
    for body in ({}, {"justification": "Strategic partner."}):
        answer = refused(client, "post", url, body, 409)
        assert answer["code"] == "allotment_exhausted"
        assert answer["remaining_tpp"] == 100


def test_an_override_without_justification_is_refused():
    application = f.reviewed_after_referral(recommendation="deny")
    officer = make_user("licensing_officer")
    services.application_recommend(actor=officer, application=application, recommendation="approve", rationale="Ok")
    url = f"/api/v1/applications/{application.pk}/approve/"
    refused(approver_client(), "post", url, {"justification": "  "}, field="justification")


def test_four_eyes_is_a_conflict_that_says_why():
    both = make_user("licensing_officer", "approving_official")
    application = f.recommended(officer=both)
    client = APIClient()
    client.force_authenticate(both)
    answer = refused(client, "post", f"/api/v1/applications/{application.pk}/approve/", {}, 409)
    assert answer["code"] == "four_eyes"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}], ids=repr)
def test_a_denial_needs_a_reason(body):
    application = f.recommended()
    refused(approver_client(), "post", f"/api/v1/applications/{application.pk}/deny/", body, field="reason")


# Licences and shipments


def licence_and_client():
    licence = f.licence(make_user("exporter", organisation="Acme AI Systems Inc."), quantity=5000)
    client = APIClient()
    client.force_authenticate(licence.application.created_by)
    return licence, client


def shipment(quantity=1, on=None, product="H100 SXM"):
    product_id = f.product(product).pk if isinstance(product, str) and product.startswith("H") else product
    return {
        "shipped_on": on or timezone.localdate().isoformat(),
        "items": [{"product": product_id, "quantity": quantity}],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shipped_on": "2026-13-45"}, "shipped_on"),
        ({"shipped_on": "yesterday"}, "shipped_on"),
        ({"shipped_on": None}, "shipped_on"),
        ({"shipped_on": "2000-01-01"}, "shipped_on"),
        ({"shipped_on": "2999-01-01"}, "shipped_on"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -10}, "quantity"),
        ({"quantity": 0.5}, "quantity"),
        ({"quantity": "ten"}, "quantity"),
        ({"product": "H200 SXM"}, "not licensed"),
        ({"product": 999_999}, "Unknown product"),
    ],
    ids=repr,
)
def test_bad_shipments_are_refused(body, field):
    licence, client = licence_and_client()
    payload = shipment(**body) if "shipped_on" not in body else {**shipment(), **body}
    refused(client, "post", f"/api/v1/licences/{licence.number}/shipments/", payload, field=field)


def test_a_shipment_without_items_is_refused():
    licence, client = licence_and_client()
    url = f"/api/v1/licences/{licence.number}/shipments/"
    refused(client, "post", url, {"shipped_on": timezone.localdate().isoformat(), "items": []}, field="items")
    refused(client, "post", url, None, raw="[]")


def test_shipping_more_than_remains_is_a_conflict():
    licence, client = licence_and_client()
    answer = refused(client, "post", f"/api/v1/licences/{licence.number}/shipments/", shipment(5001), 409)
    assert "5,000 still licensed" in answer["detail"]


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_shipping_on_a_suspended_or_revoked_licence_is_a_conflict(action):
    licence, client = licence_and_client()
    getattr(services, f"licence_{action}")(actor=make_user("approving_official"), licence=licence, reason="Risk")
    answer = refused(client, "post", f"/api/v1/licences/{licence.number}/shipments/", shipment(1), 409)
    assert ("suspended" if action == "suspend" else "revoked") in answer["detail"]


@pytest.mark.parametrize("action", ["suspend", "reinstate", "revoke"])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": None}], ids=repr)
def test_licence_actions_need_a_reason(action, body):
    licence, _ = licence_and_client()
    if action == "reinstate":
        services.licence_suspend(actor=make_user("approving_official"), licence=licence, reason="Audit")
    refused(approver_client(), "post", f"/api/v1/licences/{licence.number}/{action}/", body, field="reason")


def test_reinstating_an_active_licence_is_a_conflict():
    licence, _ = licence_and_client()
    refused(approver_client(), "post", f"/api/v1/licences/{licence.number}/reinstate/", {"reason": "Why"}, 409)


# LPP notifications


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"destination": "XX"}, "destination"),
        ({"destination": None}, "destination"),
        ({"consignee": ""}, "consignee"),
        ({"consignee": None}, "consignee"),
        ({"end_user_hq": ["ZZ"]}, "end_user_hq"),
        ({"end_user_hq": "IN"}, "end_user_hq"),
        ({"items": []}, "items"),
        ({"items": [{"product": 999_999, "quantity": 1}]}, "Unknown product"),
        ({"items": [{"product": "H100 SXM", "quantity": 0}]}, "quantity"),
        ({"items": [{"product": "H100 SXM", "quantity": 10**20}]}, "quantity"),
    ],
    ids=repr,
)
def test_bad_notifications_are_refused(exporter, changes, field):
    body = {"destination": "IN", "consignee": "Small Co", "end_user_hq": [], "items": [{"product": 0, "quantity": 1}]}
    body["items"][0]["product"] = f.product().pk
    for item in changes.get("items") or []:
        if item.get("product") == "H100 SXM":
            item["product"] = f.product().pk
    refused(exporter, "post", "/api/v1/notifications/", {**body, **changes}, field=field)


@pytest.mark.parametrize(
    ("destination", "name", "quantity", "says"),
    [
        ("IN", "H100 SXM", 1700, "apply for a licence"),
        ("IN", "H20", 100, "Not controlled"),
        ("MO", "H100 SXM", 1, "Tier 3"),
        ("IR", "H100 SXM", 1, "Prohibited"),
        ("PR", "H100 SXM", 1, "No licence or notification is required"),
    ],
)
def test_notifications_refused_by_the_rules_are_conflicts_that_say_why(exporter, destination, name, quantity, says):
    body = {
        "destination": destination,
        "consignee": "Small Co",
        "items": [{"product": f.product(name).pk, "quantity": quantity}],
    }
    answer = refused(exporter, "post", "/api/v1/notifications/", body, 409)
    assert says in answer["detail"]


def test_nul_characters_are_refused_everywhere_text_is_taken():
    """PostgreSQL cannot store NUL in text: it must be a 400 at the door, not a database error."""
    officer = make_user("licensing_officer")
    application = f.under_review(make_user("exporter", organisation="Acme AI Systems Inc."), officer=officer)
    exporter, officer_api = APIClient(), APIClient()
    exporter.force_authenticate(application.created_by)
    officer_api.force_authenticate(officer)
    url = f"/api/v1/applications/{application.pk}"
    refused(officer_api, "post", f"{url}/request-info/", {"question": "Who\x00?"}, field="question")
    refused(officer_api, "post", f"{url}/return/", {"reason": "No\x00"}, field="reason")
    refused(officer_api, "post", f"{url}/recommend/", {"recommendation": "deny", "rationale": "\x00"})
    refused(exporter, "post", f"{url}/withdraw/", {"reason": "\x00"}, field="reason")
    body = {"destination": "IN", "consignee": "Small\x00Co", "items": [{"product": f.product().pk, "quantity": 1}]}
    refused(exporter, "post", "/api/v1/notifications/", body, field="consignee")
    for query in ("acn=%00", "destination=%00", "agency=%00"):
        assert officer_api.get(f"/api/v1/applications/?{query}").status_code == 400, query
    assert officer_api.get("/api/v1/audit-events/?target_id=%00").status_code == 400


# Reads


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/abc/",
        "/api/v1/applications/99999999/",
        "/api/v1/applications/1.5/",
        "/api/v1/applications/abc/submit/",
        "/api/v1/licences/NOPE-1/",
        "/api/v1/notifications/abc/",
        "/api/v1/audit-events/abc/",
    ],  # a forged cursor is bad input (400): tests/portal/test_hostile_input.py
)
def test_unknown_records_are_404(url):
    client = as_user("policy_admin", "exporter", organisation="Acme AI Systems Inc.")
    method = "post" if url.endswith("submit/") else "get"
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/?status=bogus",
        "/api/v1/licences/?status=bogus",
        "/api/v1/policy/impact/",
        "/api/v1/policy/impact/?kind=bogus",
        "/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=abc",
        "/api/v1/policy/impact/?kind=global&lpp_threshold_tpp=-1",
        "/api/v1/policy/impact/?kind=global&g2g_uplift=12345",
        "/api/v1/policy/impact/?kind=global&effective_from=soon",
        "/api/v1/policy/impact/?kind=global&size_bands=3",
        "/api/v1/policy/impact/?kind=global&changed=maybe",
        "/api/v1/policy/impact/?kind=global&destination=IND",
        "/api/v1/policy/impact/csv/",
        "/api/v1/policy/impact/csv/?kind=bogus",
        "/api/v1/policy/impact/csv/?kind=global&changed=maybe",
    ],
)
def test_bad_query_parameters_are_400(url):
    client = as_user("policy_admin")
    before = f.db_state()
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert f.db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"destination": "IN", "consignee": "X", "items": []},
        {"destination": "IN", "consignee": "X", "items": [{"product": 999_999, "quantity": 1}]},
        {"destination": "XX", "consignee": "X", "items": [{"product": 1, "quantity": 1}]},
        {"destination": "IN", "consignee": "", "items": [{"product": 1, "quantity": 1}]},
        {"destination": "IN", "consignee": "X", "items": [{"product": 1, "quantity": -1}]},
        {"destination": "IN", "consignee": "X", "items": [{"product": 1, "quantity": 1}], "end_use_category": "war"},
        {"destination": "IN", "consignee": "X", "items": [{"product": 1, "quantity": 1}], "end_user_hq": ["ZZ"]},
    ],
    ids=repr,
)
def test_bad_determination_questions_are_400(body):
    client = as_user("exporter")
    before = f.db_state()
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 400, response.content
    assert f.db_state() == before
