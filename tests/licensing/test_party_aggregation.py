"""Every aggregation is per register party (SPEC § 2, § 3): LPP use per consignee party per year, the global
regime's installation, the headquarters set through ultimate parents, and the exporter page's use lookup."""

import pytest
from django.test import Client
from django.utils import timezone

from agreements.models import Party
from agreements.units import H100_TPP
from licensing.models import LppConsigneeYear, LppNotification
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def notify(client, consignee, quantity, destination="IN"):
    body = {
        "destination": destination,
        "consignee": consignee,
        "items": [{"product": f.product().pk, "quantity": quantity}],
    }
    return client.post("/api/v1/notifications/", body, format="json")


def determine(client, **body):
    body.setdefault("items", [{"product": f.product().pk, "quantity": 1}])
    response = client.post("/api/v1/determinations/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_lpp_use_is_per_party_whatever_the_spelling_and_per_location_country(client_for):
    first = client_for("exporter", organisation="First Chips Inc.")
    second = client_for("exporter", organisation="Second Chips GmbH")
    assert notify(first, "Pune Research Institute", 1000).status_code == 201
    refused = notify(second, "PUNE RESEARCH INSTITUTE PVT. LTD.", 700)
    assert refused.status_code == 409, refused.json()
    assert "apply for a licence" in refused.json()["detail"]
    assert LppNotification.objects.count() == 1
    uae = notify(second, {"name": "Pune Research Institute", "country": "AE"}, 700, destination="AE")
    assert uae.status_code == 201, uae.json()
    india, emirates = Party.objects.get(country="IN"), Party.objects.get(country="AE")
    assert uae.json()["consignee_party"] == emirates.pk != india.pk
    year = timezone.now().year
    assert set(LppConsigneeYear.objects.values_list("party_id", "year")) == {(india.pk, year), (emirates.pk, year)}
    # The Indian institute's 1,000 leave room for 699 more, whoever files and however it is spelt.
    assert notify(second, "Pune Research Institute Private Limited", 699).status_code == 201


def test_a_consignee_whose_ultimate_parent_is_headquartered_in_china_is_denied_wherever_it_is(client_for):
    exporter = client_for("exporter")
    parent = exporter.post("/api/v1/parties/", {"name": "Dragon Compute Holdings", "country": "CN"}, format="json")
    child = exporter.post(
        "/api/v1/parties/",
        {
            "name": "Lion City Compute Sdn Bhd",
            "country": "MY",
            "hq_country": "MY",
            "ultimate_parent": parent.json()["id"],
        },
        format="json",
    )
    assert child.json()["headquartered_in"] == ["MY", "CN"]
    for consignee in (child.json()["id"], "Lion City Compute", {"name": "Lion City Compute", "country": "MY"}):
        result = determine(exporter, destination="MY", consignee=consignee, end_user_hq=["MY"])
        assert result["presumption"] == "denial", (consignee, result)
        assert result["outcome"] in ("prohibited", "licence_required")
        assert any("CN" in reason["text"] for reason in result["reasons"]), result["reasons"]
    # The same company unregistered, with no parent given, is judged on its own details.
    other = determine(exporter, destination="MY", consignee="Kuala Lumpur Compute", end_user_hq=["MY"])
    assert other["outcome"] == "lpp_eligible"


def test_an_inline_consignee_in_a_determination_is_never_registered(client_for):
    exporter = client_for("exporter")
    parent = exporter.post("/api/v1/parties/", {"name": "Dragon Compute Holdings", "country": "CN"}, format="json")
    consignee = {"name": "Falcon Compute", "country": "QA", "hq_country": "QA", "ultimate_parent": parent.json()["id"]}
    result = determine(exporter, destination="QA", consignee=consignee, end_user_hq=["QA"])
    assert result["presumption"] == "denial"
    assert not Party.objects.filter(normalised_name="falconcompute").exists()


def test_an_end_users_parent_counts_as_much_as_the_consignees(client_for):
    exporter = client_for("exporter")
    parent = exporter.post("/api/v1/parties/", {"name": "Dragon Compute Holdings", "country": "CN"}, format="json")
    end_user = {"name": "Gulf Research", "country": "AE", "ultimate_parent": parent.json()["id"]}
    result = determine(exporter, destination="AE", consignee="Gulf Compute", end_users=[end_user], end_user_hq=["AE"])
    assert result["presumption"] == "denial"


def test_installation_counts_licences_under_the_tiered_regime_after_the_switch_to_global():
    application = f.approved(consignee="Big Compute Pvt Ltd", quantity=20_000)
    assert application.licence.lines.get().approved_quantity == 20_000
    f.agreement_in_force("IN", capacity_tpp=100_000 * H100_TPP, government_assurances=False)
    f.switch_to_global(lpp_threshold_tpp=0)
    client = Client()
    exporter = f.make_user("exporter")
    client.force_login(exporter)
    body = {
        "destination": "IN",
        "consignee": "BIG COMPUTE PRIVATE LIMITED",
        "items": [{"product": f.product().pk, "quantity": 1}],
    }
    result = client.post("/api/v1/determinations/", body, content_type="application/json").json()
    assert (result["outcome"], result["presumption"]) == ("licence_required", "denial"), result
    missing = [r["text"] for r in result["reasons"] if r["rule"] == "global.band_requirement_missing"]
    assert missing and "government-to-government assurances" in missing[0]
    band = next(r["text"] for r in result["reasons"] if r["rule"] == "global.size_band")
    assert "20,001.00 H100e" in band
    # Another consignee of the same country starts from its own installation.
    fresh = client.post(
        "/api/v1/determinations/", {**body, "consignee": "Small Compute"}, content_type="application/json"
    )
    assert fresh.json()["presumption"] == "approval", fresh.json()


def test_installation_leaves_out_what_a_revoked_licence_never_shipped():
    from licensing import selectors, services

    application = f.approved(consignee="Big Compute", quantity=2_000)
    services.licence_revoke(actor=f.make_user("approving_official"), licence=application.licence, reason="Diverted.")
    party = application.parties.get(role="ultimate_consignee").party
    assert selectors.installed_tpp(party.pk, "IN") == 0


def test_the_exporter_pages_use_lookup_finds_the_party_from_part_of_its_name(client_for):
    exporter = client_for("exporter", organisation="First Chips Inc.")
    assert notify(exporter, "Pune Research Institute", 1000).status_code == 201
    page = Client()
    page.force_login(exporter.user)
    html = page.get("/notifications/?consignee=pune+research").content.decode()
    assert "Pune Research Institute (IN): 1000.00 of 1699.09 H100e" in html
    party = Party.objects.get()
    assert "1000.00 of" in page.get(f"/notifications/?party={party.pk}").content.decode()
    assert 'src="/static/portal/party_typeahead.js"' in html and "<script>" not in html
