"""The examples of SPEC § 3 through the API, on the seeded reference data, under both regimes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing.models import Product
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def h100():
    return Product.objects.get(name="H100 SXM").pk


@pytest.fixture
def exporter(client_for):
    return client_for("exporter")


def ask(client, **body):
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def switch_to_global(client_for, **parameters):
    """Proposed by one policy administrator, approved by another: in force from now."""
    body = {"kind": "global", "reason": "Global licensing regime adopted", **parameters}
    proposed = client_for("policy_admin").post("/api/v1/policy/", body, format="json")
    assert proposed.status_code == 201
    approved = client_for("policy_admin").post(f"/api/v1/policy/{proposed.json()['id']}/approve/")
    assert approved.status_code == 200, approved.json()


def test_1699_h100_to_a_new_tier2_consignee_is_lpp_eligible(exporter, h100):
    result = ask(exporter, destination="IN", items=[{"product": h100, "quantity": 1699}], consignee="New Co")
    assert result["outcome"] == "lpp_eligible"
    assert result["allotment"] is None
    assert result["requested_tpp"] == 1699 * 15_832


def test_1700_h100_needs_a_licence_drawing_on_the_tier2_allocation(exporter, h100):
    result = ask(
        exporter,
        destination="IN",
        items=[{"product": h100, "quantity": 1700}],
        consignee="Gulf Compute LLC",
        end_users=["Gulf Compute LLC"],
        end_user_hq=["IN"],
        end_use_category="commercial_datacenter",
    )
    assert (result["outcome"], result["presumption"], result["regime"]) == ("licence_required", "approval", "tiered")
    assert (result["requested_tpp"], result["requested_h100e"]) == (26_914_400, "1700.00")
    assert result["allotment"]["remaining_tpp"] == 790_000_000
    assert "tiered.allocation" in [reason["rule"] for reason in result["reasons"]]


def test_a_controlled_item_to_macau_beyond_any_programme_needs_a_licence_with_denial(exporter):
    # The H100 and H200 are reviewed case by case since 2026-01-15 (FR Doc 2026-00789); a B200 is beyond that rule.
    b200 = Product.objects.get(name="B200").pk
    result = ask(exporter, destination="mo", items=[{"product": b200, "quantity": 1}], consignee="Anyone")
    assert (result["outcome"], result["presumption"], result["allotment"]) == ("licence_required", "denial", None)


def test_an_h100_re_exported_to_macau_needs_a_licence_with_denial(exporter, h100):
    items = [{"product": h100, "quantity": 1}]
    result = ask(exporter, destination="mo", items=items, consignee="Anyone", export_from="SG")
    assert (result["outcome"], result["presumption"], result["programme"]) == ("licence_required", "denial", None)


def test_an_end_user_headquartered_in_china_needs_a_licence_with_denial_anywhere(exporter, h100):
    result = ask(
        exporter, destination="IN", items=[{"product": h100, "quantity": 1}], consignee="X", end_user_hq=["CN"]
    )
    assert (result["outcome"], result["presumption"]) == ("licence_required", "denial")
    assert "common.tier3_end_user_hq" in [reason["rule"] for reason in result["reasons"]]


def test_uncontrolled_chips_need_nothing(exporter):
    h20 = Product.objects.get(name="H20").pk
    result = ask(exporter, destination="IN", items=[{"product": h20, "quantity": 100_000}], consignee="X")
    assert (result["outcome"], result["requested_tpp"]) == ("not_controlled", 0)


def test_tier1_destination_needs_no_licence(exporter, h100):
    result = ask(exporter, destination="JP", items=[{"product": h100, "quantity": 50_000}], consignee="X")
    assert result["outcome"] == "no_licence_required"


def test_under_the_global_regime_no_agreement_means_denial(exporter, client_for, h100):
    switch_to_global(client_for, lpp_threshold_tpp=0)
    result = ask(exporter, destination="IN", items=[{"product": h100, "quantity": 10}], consignee="Gulf Compute LLC")
    assert (result["outcome"], result["presumption"], result["regime"]) == ("licence_required", "denial", "global")
    assert [reason["rule"] for reason in result["reasons"]][-1] == "global.no_agreement"


def test_switching_back_and_forth_changes_the_answer_for_new_determinations(exporter, client_for, h100):
    body = {"destination": "IN", "items": [{"product": h100, "quantity": 1699}], "consignee": "New Co"}
    assert ask(exporter, **body)["outcome"] == "lpp_eligible"
    switch_to_global(client_for, lpp_threshold_tpp=0)
    assert ask(exporter, **body)["outcome"] == "licence_required"


def test_a_determination_writes_nothing(exporter, h100):
    before = AuditEvent.objects.count()
    ask(exporter, destination="IN", items=[{"product": h100, "quantity": 1700}], consignee="X")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"destination": "XX", "items": [{"product": 1, "quantity": 1}], "consignee": "c"}, "destination"),
        ({"destination": "India", "items": [{"product": 1, "quantity": 1}], "consignee": "c"}, "destination"),
        ({"destination": "IN", "items": [], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 999999, "quantity": 1}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": "H100", "quantity": 1}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 1, "quantity": 0}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 1, "quantity": -5}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 1, "quantity": 1.5}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 1, "quantity": 10**30}], "consignee": "c"}, "items"),
        ({"destination": "IN", "items": [{"product": 1, "quantity": 1}]}, "consignee"),
        (
            {"destination": "IN", "items": [{"product": 1, "quantity": 1}], "consignee": "c", "end_user_hq": ["ZZ"]},
            "end_user_hq",
        ),
        (
            {"destination": "IN", "items": [{"product": 1, "quantity": 1}], "consignee": "c", "end_use_category": "x"},
            "end_use_category",
        ),
        ({"destination": None, "items": "many", "consignee": 5}, "destination"),
    ],
    ids=[
        "unknown-country",
        "country-name",
        "no-items",
        "unknown-product",
        "product-name",
        "zero",
        "negative",
        "fractional",
        "absurd",
        "no-consignee",
        "unknown-hq",
        "unknown-end-use",
        "wrong-types",
    ],
)
def test_bad_input_is_400_naming_the_field(exporter, body, field):
    response = exporter.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_malformed_json_is_400(exporter):
    response = exporter.post("/api/v1/determinations/", data="{oops", content_type="application/json")
    assert response.status_code == 400


def test_anonymous_callers_are_refused(api, h100):
    response = api.post("/api/v1/determinations/", {}, format="json")
    assert response.status_code == 401


def test_query_count_does_not_grow_with_lines(exporter):
    products = [chip.pk for chip in Product.objects.filter(kind="chip") if chip.eccn != "unclassified"]

    def count(n_items):
        items = [{"product": products[i % len(products)], "quantity": 10} for i in range(n_items)]
        with CaptureQueriesContext(connection) as queries:
            ask(exporter, destination="IN", items=items, consignee="X")
        return len(queries)

    count(1)  # the process's first determination reads the reference facts whole; whether one came before is order
    assert count(2) == count(30)
