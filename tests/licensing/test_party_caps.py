"""Party caps inside an agreement's allotment (SPEC § 2 "Terms v2", § 3.4 step 8, § 3.3 step 5): the determination
and the approval's reservation hold a named party to its cap; another consignee draws on the rest."""

import pytest

from agreements.errors import PartyCapExhausted
from agreements.models import Allotment, LedgerEntry, Party
from agreements.units import H100_TPP
from licensing import selectors, services
from licensing.choices import ApplicationStatus
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

FALCON = {"name": "Falcon Compute", "country": "QA", "hq_country": "QA"}


def _caps_agreement(country: str = "QA"):
    """10,000 H100e this year with 2,000 H100e of it for Falcon Compute (headquartered in Qatar)."""
    return f.capped_agreement(country, party={**FALCON, "country": country})


def _period_of(agreement):
    allotment = Allotment.objects.get(agreement=agreement)
    return {
        "period_start": allotment.period_start,
        "period_end": allotment.period_end,
        "capacity_tpp": allotment.capacity_tpp,
    }


def _determine(application):
    return selectors.determine(selectors.application_request(application, at=application.submitted_at, skip_lpp=True))


@pytest.fixture
def global_caps():
    f.switch_to_global()
    return _caps_agreement()


def test_the_allotment_carries_the_party_cap_of_its_terms(global_caps):
    allotment = Allotment.objects.get(agreement=global_caps)
    caps = {cap.party.name: cap.capacity_tpp for cap in allotment.party_caps.select_related("party")}
    assert caps == {"Falcon Compute": 2_000 * H100_TPP}


def test_a_capped_party_asking_beyond_its_cap_is_denied_with_its_remaining(global_caps):
    application = f.under_review(destination="QA", consignee="Falcon Compute", quantity=2_500)

    result = _determine(application)

    assert result.presumption == "denial"
    capped = [r for r in result.reasons if r.rule == "global.party_cap_exhausted"]
    assert capped and "Falcon Compute" in capped[0].text and "2,000.00 H100e remaining for it" in capped[0].text
    assert result.allotment_remaining_tpp == 2_000 * H100_TPP


def test_another_consignee_draws_on_the_rest_of_the_allotment(global_caps):
    application = f.recommended(destination="QA", consignee="Pearl Cloud", quantity=2_500)

    assert _determine(application).presumption == "approval"
    approved = services.application_approve(actor=make_user("approving_official"), application=application)

    assert approved.status == ApplicationStatus.APPROVED
    entry = LedgerEntry.objects.get(reference=approved.licence.number)
    assert entry.party == Party.objects.get(name="Pearl Cloud")


def test_approval_beyond_the_cap_is_refused_even_with_a_justification(global_caps):
    application = f.recommended(destination="QA", consignee="Falcon Compute", quantity=2_500)
    approver = make_user("approving_official")
    state = f.db_state()

    with pytest.raises(PartyCapExhausted, match="Falcon Compute"):
        services.application_approve(actor=approver, application=application, justification="Strategic partner.")

    assert f.db_state() == state


def test_draws_for_the_party_count_against_its_cap_until_released(global_caps):
    approver = make_user("approving_official")
    first = f.recommended(destination="QA", consignee="Falcon Compute", quantity=1_500)
    licence = services.application_approve(actor=approver, application=first).licence
    second = f.under_review(destination="QA", consignee="Falcon Compute", quantity=600)

    assert _determine(second).presumption == "denial"
    assert _determine(second).allotment_remaining_tpp == 500 * H100_TPP

    services.licence_revoke(actor=approver, licence=licence, reason="Diversion suspected")
    assert _determine(second).presumption == "approval"


def test_a_capped_end_user_binds_the_cap_too(global_caps):
    application = f.under_review(destination="QA", consignee="Pearl Cloud", quantity=2_500)
    falcon = Party.objects.get(name="Falcon Compute")
    request = selectors.application_request(application, at=application.submitted_at, skip_lpp=True)
    request = type(request)(**{**request.__dict__, "end_user_parties": (falcon.pk,)})

    assert selectors.determine(request).presumption == "denial"


def test_baseline_holds_the_party_to_its_cap_where_the_agreement_allotment_applies():
    f.switch_to_baseline()
    agreement = _caps_agreement("AE")  # the UAE: D:4, not A:5/A:6 — the agreement's allotment applies
    assert agreement.country_id == "AE"
    application = f.under_review(destination="AE", consignee="Falcon Compute", quantity=2_500)

    result = _determine(application)

    assert result.presumption == "denial"
    assert any(r.rule == "baseline.party_cap_exhausted" for r in result.reasons)


def test_performance_shows_what_was_shipped_per_period_and_capped_party(global_caps, client_for):
    exporter = make_user("exporter")
    approver = make_user("approving_official")
    application = f.recommended(exporter, destination="QA", consignee="Falcon Compute", quantity=1_000)
    licence = services.application_approve(actor=approver, application=application).licence
    services.shipment_report(
        actor=exporter,
        licence=licence,
        shipped_on=licence.valid_from,
        items=[{"product": f.product(), "quantity": 400}],
    )

    response = client_for("negotiator").get(f"/api/v1/agreements/{global_caps.pk}/performance/")

    assert response.status_code == 200, response.json()
    whole, falcon = response.json()["periods"]
    assert (whole["committed_h100e"], whole["shipped_h100e"]) == ("1000.00", "400.00")
    assert falcon["party"]["name"] == "Falcon Compute"
    assert (falcon["committed_h100e"], falcon["shipped_h100e"], falcon["remaining_h100e"]) == (
        "1000.00",
        "400.00",
        "1000.00",
    )


@pytest.mark.parametrize(
    "consignee,presumption",
    [
        ({"name": "Falcon Compute", "country": "QA"}, "denial"),
        ("Falcon Compute", "denial"),  # a bare name: located in the destination, matched in the register
        ("Pearl Cloud", "approval"),
    ],
)
def test_the_determinations_api_holds_a_capped_consignee_to_its_cap(global_caps, client_for, consignee, presumption):
    body = {
        "destination": "QA",
        "consignee": consignee,
        "items": [{"product": f.product().pk, "quantity": 2_500}],
        "end_use_category": "commercial_datacenter",
    }

    response = client_for("exporter").post("/api/v1/determinations/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["presumption"] == presumption
    if presumption == "denial":
        assert "2,000.00 H100e remaining for it" in str(response.json()["reasons"])


def test_a_cut_to_the_party_cap_is_explained_on_the_exporters_page(global_caps, client):
    from django.utils.html import escape

    from licensing.vocabulary import RULES

    application = f.recommended(destination="QA", consignee="Falcon Compute", quantity=2_500)
    services.application_approve(
        actor=make_user("approving_official"),
        application=application,
        items=[{"product": f.product(), "quantity": 2_000}],
        justification="Within Falcon Compute's cap.",
    )
    client.force_login(application.created_by)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    row = html[html.index('class="line-cut"') :].split("</tr>")[0]
    assert "<td>2500</td><td>2000</td>" in row and escape(RULES["decision.party_cap"]) in row
