"""The officer's recommendation with substance (SPEC § 4 v2, issue 15): quantities per line and conditions,
offered to the approver; bad quantities are refused naming the line, and nothing is written."""

import pytest
from rest_framework.test import APIClient

from licensing.models import RecommendationEntry
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def two_line_case():
    return f.under_review(items=[("H100 SXM", 5000), ("H200 SXM", 1000)])


def recommend(application, **body):
    return client_for(application.officer).post(
        f"/api/v1/applications/{application.pk}/recommend/",
        {"recommendation": "approve", "rationale": "Checked the end user.", **body},
        format="json",
    )


def test_the_proposal_is_kept_and_shown_to_staff():
    application = two_line_case()
    h100, h200 = f.product("H100 SXM"), f.product("H200 SXM")
    response = recommend(
        application,
        items=[{"product": h100.pk, "quantity": 4000}, {"product": h200.pk, "quantity": 0}],
        conditions=[" Quarterly site visits ", "Quarterly site visits"],
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["recommended_items"] == [{"product": h100.pk, "quantity": 4000}, {"product": h200.pk, "quantity": 0}]
    assert body["recommended_conditions"] == ["Quarterly site visits"]
    entry = RecommendationEntry.objects.get(application=application, kind="officer")
    assert entry.proposed_quantities == {str(h100.pk): 4000, str(h200.pk): 0}
    assert entry.conditions == ["Quarterly site visits"]


@pytest.mark.parametrize(
    ("quantity", "words"),
    [(1001, "1,001 proposed exceeds the 1,000 requested"), (-1, "cannot be negative")],
)
def test_a_bad_quantity_is_refused_naming_the_line_and_nothing_is_written(quantity, words):
    application = two_line_case()
    before = f.db_state()
    response = recommend(application, items=[{"product": f.product("H200 SXM").pk, "quantity": quantity}])
    assert response.status_code == 400
    message = response.json()["items"][0]
    assert "Line 2 (" in message and "H200" in message and words in message
    assert f.db_state() == before


def test_a_product_not_on_the_application_is_refused():
    application = f.under_review()
    response = recommend(application, items=[{"product": f.product("H200 SXM").pk, "quantity": 1}])
    assert response.status_code == 400
    assert "not on this application" in response.json()["items"][0]


def test_a_denial_proposes_no_quantities():
    application = f.under_review()
    response = recommend(
        application, recommendation="deny", items=[{"product": f.product().pk, "quantity": 1}], conditions=["x"]
    )
    assert response.status_code == 400
    assert "with approve" in response.json()["recommendation"][0]


def test_the_exporter_never_sees_the_proposal():
    application = two_line_case()
    recommend(application, items=[{"product": f.product().pk, "quantity": 10}], conditions=["Secret condition"])
    body = client_for(application.created_by).get(f"/api/v1/applications/{application.pk}/").json()
    assert "recommended_items" not in body and "recommended_conditions" not in body
    assert "Secret condition" not in str(body)


def _json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` becomes a null type (enums admit null too)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _validator(component: str):
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    document = {"$ref": f"#/components/schemas/{component}", "components": _json_schema(schema["components"])}
    return schema, jsonschema.Draft202012Validator(document)


def test_the_schema_documents_the_proposal_and_the_answers_match_it():
    schema, staff_case = _validator("StaffApplication")
    body = schema["components"]["schemas"]["RecommendRequest"]["properties"]
    assert body["items"]["items"]["$ref"].endswith("/ProposalItemRequest")
    assert body["conditions"]["type"] == "array"
    assert {"recommended_items", "recommended_conditions"} <= set(
        schema["components"]["schemas"]["StaffApplication"]["properties"]
    )
    for verb in ("amend", "withdraw"):
        operation = schema["paths"][f"/api/v1/applications/{{id}}/info-requests/{{info_request}}/{verb}/"]["post"]
        (param,) = [p for p in operation["parameters"] if p["name"] == "info_request"]
        assert param["schema"]["type"] == "integer"

    application = two_line_case()
    answer = recommend(
        application, items=[{"product": f.product("H200 SXM").pk, "quantity": 10}], conditions=["Site visits"]
    ).json()
    errors = [error.message for error in staff_case.iter_errors(answer)]
    assert errors == []


def test_the_audit_history_reads_the_proposal_by_product_name():
    from licensing.audit_text import details
    from portal.models import AuditEvent

    application = two_line_case()
    recommend(application, items=[{"product": f.product().pk, "quantity": 4000}], conditions=["Site visits"])
    event = AuditEvent.objects.get(verb="application.recommended", target_id=str(application.pk))
    sentences = details(event)
    assert f"Proposed quantities: 4,000 × {f.product()}." in sentences
    assert "Conditions: Site visits." in sentences
