"""SPEC § 3 examples that depend on the reference facts (tiers, EAR Country Groups, the United States and its
territories, the catalogue), asked through the API as an exporter would, on the seeded data."""

import pytest
from django.core.exceptions import ValidationError

from agreements import services as agreements_services
from agreements.models import Policy
from licensing import services
from licensing.choices import ApplicationStatus
from licensing.models import Application, LppNotification, Product
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def product_id(name: str) -> int:
    return Product.objects.get(name=name).pk


def ask(client, *, destination, product="H100 SXM", quantity=1, end_user_hq=None, status=200):
    body = {"destination": destination, "items": [{"product": product_id(product), "quantity": quantity}]}
    body |= {"consignee": "Falcon Compute", "end_use_category": "commercial_datacenter"}
    if end_user_hq is not None:
        body["end_user_hq"] = end_user_hq
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == status, response.json()
    return response.json()


def rules(result) -> list[str]:
    return [reason["rule"] for reason in result["reasons"]]


@pytest.fixture
def exporter(client_for):
    return client_for("exporter")


@pytest.fixture(params=["tiered", "global"])
def regime(request, client_for):
    if request.param == "global":
        body = {"kind": "global", "reason": "Global licensing regime adopted", "lpp_threshold_tpp": 0}
        proposal = client_for("policy_admin").post("/api/v1/policy/", body, format="json")
        assert proposal.status_code == 201
        # A switch takes a second policy administrator (SPEC § 4); here the system approves it.
        agreements_services.policy_approve(actor=None, policy=Policy.objects.get(pk=proposal.json()["id"]))
    return request.param


def test_sudan_needs_a_licence_with_a_presumption_of_denial_and_no_allotment(exporter, regime):
    result = ask(exporter, destination="SD", quantity=10)
    assert (result["outcome"], result["presumption"], result["allotment"]) == ("licence_required", "denial", None)
    assert rules(result)[0] == ("common.tier3_destination" if regime == "tiered" else "common.d5_destination")


@pytest.mark.parametrize("destination", ["PR", "GU", "VI", "AS", "MP", "UM"])
def test_us_territories_need_no_licence(exporter, regime, destination):
    result = ask(exporter, destination=destination, quantity=3_000)
    assert (result["outcome"], result["presumption"], result["allotment"]) == ("no_licence_required", None, None)
    assert rules(result) == ["common.united_states"]


@pytest.mark.parametrize("destination", ["IR", "KP", "SY", "CU"])
def test_comprehensively_embargoed_destinations_are_prohibited(exporter, regime, destination):
    result = ask(exporter, destination=destination)
    assert (result["outcome"], result["presumption"]) == ("prohibited", "denial")
    assert "common.embargoed_destination" in rules(result)


def test_an_end_user_headquartered_in_iran_makes_it_prohibited_anywhere(exporter, regime):
    result = ask(exporter, destination="DE", end_user_hq=["IR"])
    assert result["outcome"] == "prohibited"
    assert rules(result) == ["common.embargoed_end_user_hq"]


@pytest.mark.parametrize("destination", ["MO", "CN", "HK"])
def test_a_b200_to_macau_or_china_needs_a_licence_with_denial(exporter, regime, destination):
    result = ask(exporter, destination=destination, product="B200")
    assert (result["outcome"], result["presumption"], result["allotment"]) == ("licence_required", "denial", None)


def test_cambodia_is_no_longer_restricted_after_it_left_d5_on_2026_02_03(exporter, regime):
    """Tier 2 and out of D:5 from 2026-02-03 (now is later); the dated history is tested in the reference data."""
    result = ask(exporter, destination="KH", quantity=10)
    assert result["outcome"] != "prohibited"
    assert "common.d5_destination" not in rules(result)


def test_10_h100_to_germany_for_an_end_user_headquartered_in_india_is_lpp_eligible(exporter):
    result = ask(exporter, destination="DE", quantity=10, end_user_hq=["IN"])
    assert (result["outcome"], result["allotment"]) == ("lpp_eligible", None)
    assert rules(result) == ["tiered.lpp"]


def test_an_end_user_headquartered_in_puerto_rico_keeps_licence_exception_aia(exporter):
    result = ask(exporter, destination="DE", quantity=10_000, end_user_hq=["PR"])
    assert (result["outcome"], rules(result)) == ("no_licence_required", ["tiered.tier1_aia"])


# An unclassified chip cannot be used until classified


@pytest.fixture
def unclassified():
    return Product.objects.get(name="Instinct MI308")


def test_a_determination_with_an_unclassified_chip_is_a_400_naming_it(exporter, unclassified):
    result = ask(exporter, destination="IN", product=unclassified.name, status=400)
    assert "AMD Instinct MI308" in result["items"][0]
    assert "not yet classified" in result["items"][0]


def test_a_notification_with_an_unclassified_chip_is_refused_and_nothing_written(exporter, unclassified):
    body = {"destination": "IN", "consignee": "Falcon Compute", "items": [{"product": unclassified.pk, "quantity": 1}]}
    response = exporter.post("/api/v1/notifications/", body, format="json")
    assert response.status_code == 400
    assert "AMD Instinct MI308" in str(response.json())
    assert not LppNotification.objects.exists()


def test_submitting_an_application_with_an_unclassified_chip_is_refused_and_nothing_changes(unclassified):
    exporter = make_user("exporter")
    application = f.draft(exporter, items=[("Instinct MI308", 10)])
    with pytest.raises(ValidationError) as raised:
        services.application_submit(actor=exporter, application=application, declaration=True)
    assert "AMD Instinct MI308" in str(raised.value)
    application = Application.objects.get(pk=application.pk)
    assert (application.status, application.acn) == (ApplicationStatus.DRAFT, None)
    assert not AuditEvent.objects.filter(verb="application.submitted").exists()


def test_once_its_die_area_is_recorded_the_chip_can_be_used(exporter, unclassified):
    services.product_save(actor=make_user("policy_admin"), product=unclassified, die_area_mm2=2_000)
    result = ask(exporter, destination="IN", product=unclassified.name)
    assert result["outcome"] == "not_controlled"  # 4,799 TPP at PD 2.4
