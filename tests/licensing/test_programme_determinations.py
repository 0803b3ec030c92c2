"""Licence-review programmes in the determination (SPEC § 3.1 steps 1 and 4, DOMAIN.md § 5a), on the seeded
data, asked through the API as an exporter would."""

import pytest

from licensing.models import Product

pytestmark = pytest.mark.django_db

CHINA_RULE = "FR Doc 2026-00789"


def product_id(name: str) -> int:
    return Product.objects.get(name=name).pk


@pytest.fixture
def exporter(client_for):
    return client_for("exporter")


def ask(client, *, destination, product, quantity, export_from=None, at=None, end_user_hq=None):
    body = {"destination": destination, "items": [{"product": product_id(product), "quantity": quantity}]}
    body |= {"consignee": "Lotus Compute", "end_use_category": "commercial_datacenter"}
    if export_from:
        body["export_from"] = export_from
    if at:
        body["at"] = at
    if end_user_hq:
        body["end_user_hq"] = end_user_hq
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def rules(result) -> list[str]:
    return [reason["rule"] for reason in result["reasons"]]


def test_h200_from_the_us_to_china_is_reviewed_case_by_case_under_the_2026_rule(exporter):
    result = ask(exporter, destination="CN", product="H200 SXM", quantity=100)
    assert (result["outcome"], result["presumption"]) == ("licence_required", "case_by_case")
    assert result["programme"]["citation"] == CHINA_RULE
    assert result["export_from"] == "US"
    assert [c["code"] for c in result["certifications"]] == [
        "us-supply",
        "foundry-capacity",
        "recipient-security",
        "third-party-testing",
    ]
    assert "No military end use." in result["conditions"]
    assert result["allotment"] is None
    assert any(CHINA_RULE in reason["text"] for reason in result["reasons"])


@pytest.mark.parametrize("destination", ["HK", "MO"])
def test_the_2026_rule_covers_hong_kong_and_macau(exporter, destination):
    result = ask(exporter, destination=destination, product="H200 SXM", quantity=100)
    assert (result["presumption"], result["programme"]["citation"]) == ("case_by_case", CHINA_RULE)


def test_the_same_h200s_re_exported_from_singapore_stay_presumed_denied(exporter):
    result = ask(exporter, destination="CN", product="H200 SXM", quantity=100, export_from="SG")
    assert (result["outcome"], result["presumption"], result["programme"]) == ("licence_required", "denial", None)
    assert result["certifications"] == []
    assert "programme.not_covered" in rules(result)


def test_a_b200_is_beyond_the_rule_s_criteria(exporter):
    result = ask(exporter, destination="CN", product="B200", quantity=1)
    assert (result["outcome"], result["presumption"], result["programme"]) == ("licence_required", "denial", None)


def test_a_system_is_judged_by_its_chip(exporter):
    system = Product.objects.get(kind="system", chip__name="H200 SXM")  # the seeded HGX H200 8-GPU
    result = ask(exporter, destination="CN", product=system.name, quantity=2)
    assert result["programme"]["citation"] == CHINA_RULE


def test_the_h20_needs_a_licence_to_china(exporter):
    result = ask(exporter, destination="CN", product="H20", quantity=10)
    assert result["outcome"] == "licence_required"
    assert result["presumption"] == "case_by_case"  # licensed from 2025-08-11 against 15 % of the revenue
    assert result["programme"]["name"] == "H20-class licence requirement"
    assert result["requested_tpp"] == 10 * 2_368
    assert "programme.scope_in" in rules(result)
    assert result["controlled_products"] == [product_id("H20")]


def test_the_h20_to_india_is_not_controlled(exporter):
    result = ask(exporter, destination="IN", product="H20", quantity=10)
    assert (result["outcome"], result["programme"], result["requested_tpp"]) == ("not_controlled", None, 0)


def test_the_h20_to_china_in_june_2025_was_presumed_denied(exporter):
    result = ask(exporter, destination="CN", product="H20", quantity=10, at="2025-06-01T12:00:00Z")
    assert (result["outcome"], result["presumption"]) == ("licence_required", "denial")
    assert (result["programme"]["name"], result["programme"]["version"]) == ("H20-class licence requirement", 1)


def test_the_h20_before_the_requirement_was_not_controlled(exporter):
    result = ask(exporter, destination="CN", product="H20", quantity=10, at="2025-03-01T12:00:00Z")
    assert result["outcome"] == "not_controlled"


def test_an_end_user_headquartered_in_russia_keeps_the_china_export_presumed_denied(exporter):
    result = ask(exporter, destination="CN", product="H200 SXM", quantity=100, end_user_hq=["RU"])
    assert (result["presumption"], result["programme"]) == ("denial", None)


def test_an_instant_before_any_policy_is_a_clear_400(exporter):
    body = {"destination": "CN", "items": [{"product": product_id("H20"), "quantity": 1}], "consignee": "X"}
    response = exporter.post("/api/v1/determinations/", body | {"at": "2001-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400
    assert "No policy was in force" in str(response.json()["at"])
