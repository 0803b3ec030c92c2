"""POST /api/v1/determinations/batch/: many questions at once, each answered as the single endpoint answers it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Party
from licensing.models import Product
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/determinations/batch/"


def product_id(name: str) -> int:
    return Product.objects.get(name=name).pk


def single(client, body: dict) -> dict:
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def batch(client, bodies: list[dict]) -> list[dict]:
    response = client.post(URL, {"requests": bodies}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.fixture
def exporter(client_for):
    return client_for("exporter")


@pytest.fixture
def questions(exporter) -> list[dict]:
    """Every kind of answer: LPP, an allocation draw, Tier 1, uncontrolled, a programme, denials by destination
    and by headquarters, parties named by register id and inline with a parent."""
    h100, h20 = product_id("H100 SXM"), product_id("H20")
    parent = exporter.post("/api/v1/parties/", {"name": "Dragon Compute Holdings", "country": "CN"}, format="json")
    child = exporter.post(
        "/api/v1/parties/",
        {"name": "Lion City Compute Sdn Bhd", "country": "MY", "ultimate_parent": parent.json()["id"]},
        format="json",
    )
    line = [{"product": h100, "quantity": 1700}]
    return [
        {"destination": "IN", "items": [{"product": h100, "quantity": 1699}], "consignee": "New Co"},
        {
            "destination": "IN",
            "items": line,
            "consignee": "Gulf Compute LLC",
            "end_use_category": "commercial_datacenter",
        },
        {"destination": "FR", "items": line, "consignee": "Paris Compute"},
        {"destination": "MO", "items": line, "consignee": "Macau Compute"},
        {"destination": "CN", "items": [{"product": h20, "quantity": 1}], "consignee": "Lotus Compute"},
        {"destination": "IN", "items": [{"product": h20, "quantity": 100_000}], "consignee": "X"},
        {"destination": "JP", "items": [{"product": h100, "quantity": 50_000}], "consignee": "X"},
        {"destination": "MY", "items": line, "consignee": child.json()["id"], "end_user_hq": ["MY"]},
        {"destination": "MY", "items": line, "consignee": "Lion City Compute", "end_user_hq": ["MY"]},
        {
            "destination": "AE",
            "items": line,
            "consignee": "Gulf Compute",
            "end_users": [{"name": "Gulf Research", "country": "AE", "ultimate_parent": parent.json()["id"]}],
        },
        {"destination": "IN", "items": line, "consignee": "New Co", "export_from": "SG"},
    ]


def test_each_answer_is_the_single_endpoints(exporter, questions):
    answers = batch(exporter, questions)
    assert len(answers) == len(questions)
    for body, answer in zip(questions, answers, strict=True):
        assert answer == single(exporter, body), body
    outcomes = {answer["outcome"] for answer in answers}
    assert {
        "lpp_eligible",
        "licence_required",
        "no_licence_required",
        "not_controlled",
    } <= outcomes  # the set covers the rules
    assert "denial" in {answer["presumption"] for answer in answers}


def test_the_queries_do_not_grow_with_the_batch(exporter, questions):
    batch(exporter, questions[:1])  # the reference facts read whole once, then kept

    def count(bodies):
        with CaptureQueriesContext(connection) as queries:
            batch(exporter, bodies)
        return len(queries)

    assert count(questions * 9) == count(questions)


def test_a_batch_writes_nothing(exporter, questions):
    before = (AuditEvent.objects.count(), Party.objects.count())
    batch(exporter, questions)
    assert (AuditEvent.objects.count(), Party.objects.count()) == before


def test_a_bad_request_refuses_the_batch_naming_its_place(exporter, questions):
    bodies = [questions[0], {**questions[1], "destination": "XX"}, {**questions[2], "items": []}]
    response = exporter.post(URL, {"requests": bodies}, format="json")
    assert response.status_code == 400
    errors = response.json()["requests"]
    assert set(errors) == {"1", "2"}  # keyed by place, the good one unnamed
    assert "destination" in errors["1"]
    assert "items" in errors["2"]


def test_a_party_out_of_scope_or_without_details_is_refused_at_its_place(client_for, exporter, questions):
    someone_elses = client_for("exporter", organisation="Other Chips Inc.").post(
        "/api/v1/parties/", {"name": "Hidden Compute", "country": "IN"}, format="json"
    )
    bodies = [
        questions[0],
        {**questions[0], "consignee": someone_elses.json()["id"]},
        {**questions[0], "end_users": ["Fine Co", {"name": "!!!", "country": "IN"}]},  # no name left to match
    ]
    response = exporter.post(URL, {"requests": bodies}, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["requests"]
    assert set(errors) == {"1", "2"}
    assert "Unknown party" in errors["1"]["consignee"]["party"][0]
    assert list(errors["2"]["end_users"]) == ["1"]
    assert "name" in errors["2"]["end_users"]["1"]
    single_answer = exporter.post("/api/v1/determinations/", bodies[1], format="json")
    assert single_answer.status_code == 400  # the single endpoint refuses it too


def test_an_instant_before_any_policy_is_refused_at_its_place(exporter, questions):
    bodies = [questions[0], {**questions[0], "at": "1990-01-01T00:00:00Z"}]
    response = exporter.post(URL, {"requests": bodies}, format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["requests"]
    assert set(errors) == {"1"}
    assert "No policy was in force" in errors["1"]["at"][0]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"requests": []}, 400), ({}, 400), ({"requests": "many"}, 400), ([], 400)],
    ids=["empty", "missing", "not-a-list", "a-bare-list"],
)
def test_malformed_batches_are_400(exporter, body, status):
    assert exporter.post(URL, body, format="json").status_code == status


def test_more_than_a_hundred_requests_are_refused(exporter, questions):
    response = exporter.post(URL, {"requests": questions[:1] * 101}, format="json")
    assert response.status_code == 400
    assert "requests" in response.json()


def test_anonymous_callers_are_refused(api):
    assert api.post(URL, {"requests": []}, format="json").status_code == 401
