"""Terms v2 in the API (SPEC § 5.3): party caps in the allotment schedule (TPP or H100e, party by id or details),
investment milestones, the negotiators' milestone actions and who may call them."""

import pytest

from agreements.choices import AgreementStatus as S
from agreements.models import Allotment, InvestmentMilestone, Party, TermsPeriod
from agreements.units import H100_TPP
from portal.choices import Role
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"


def _body(**terms):
    return {
        "country": "QA",
        "title": "US–Qatar AI compute arrangement",
        "reference": "G2G-QA-2026",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
        "terms": {
            "allotments": [
                {
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                    "capacity_tpp": 10_000 * H100_TPP,
                    "party_caps": [
                        {
                            "party": {"name": "Falcon Compute", "country": "QA", "hq_country": "QA"},
                            "capacity_h100e": 2000,
                        }
                    ],
                }
            ],
            "investment_milestones": [
                {"description": "First US data-centre phase", "amount_usd": "500000000.00", "due_on": "2026-11-30"}
            ],
            **terms,
        },
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_negotiator_records_a_party_cap_in_h100e_and_a_milestone(client_for):
    negotiator = client_for(Role.NEGOTIATOR)

    response = negotiator.post(URL, _body(), format="json")

    assert response.status_code == 201, response.json()
    terms = response.json()["terms"]
    [cap] = terms["allotments"][0]["party_caps"]
    falcon = Party.objects.get(name="Falcon Compute", country_id="QA")
    assert cap == {
        "party": {"id": falcon.pk, "name": "Falcon Compute", "country": "QA"},
        "capacity_tpp": 2_000 * H100_TPP,
        "capacity_h100e": "2000.00",
    }
    [milestone] = terms["investment_milestones"]
    assert (milestone["description"], milestone["amount_usd"], milestone["due_on"]) == (
        "First US data-centre phase",
        "500000000.00",
        "2026-11-30",
    )
    assert milestone["verified_usd"] == "0.00" and milestone["waived_at"] is None


def test_a_cap_by_party_id_carries_over_into_an_amendment_and_the_allotment(client_for):
    negotiator = client_for(Role.NEGOTIATOR)
    falcon = Party.objects.create(
        name="Falcon Compute", normalised_name="falconcompute", country_id="QA", hq_country_id="QA",
        created_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    agreement = make_agreement(S.IN_FORCE, country="QA")
    allotment = Allotment.objects.get(agreement=agreement)
    period = {
        "period_start": str(allotment.period_start),
        "period_end": str(allotment.period_end),
        "capacity_tpp": allotment.capacity_tpp,
        "party_caps": [{"party": falcon.pk, "capacity_tpp": 200 * H100_TPP}],
    }

    amended = negotiator.post(
        f"{URL}{agreement.pk}/amendments/",
        {"effective_from": str(allotment.period_start), "reason": "Company cap", "allotments": [period]},
        format="json",
    )
    again = negotiator.post(
        f"{URL}{agreement.pk}/amendments/",
        {"effective_from": str(allotment.period_start), "reason": "Security conditions", "security_conditions": ["X"]},
        format="json",
    )

    assert amended.status_code == again.status_code == 201, (amended.json(), again.json())
    assert again.json()["allotments"][0]["party_caps"][0]["party"]["id"] == falcon.pk  # carried over
    assert {(c.party_id, c.capacity_tpp) for c in allotment.party_caps.all()} == {(falcon.pk, 200 * H100_TPP)}
    assert AuditEvent.objects.filter(verb="allotment.updated", target_id=str(allotment.pk)).exists()


@pytest.mark.parametrize(
    "caps,message",
    [
        ([{"party": {"name": "Falcon Compute"}, "capacity_h100e": 20_000}], "exceeds the period's capacity"),
        (
            [{"party": "Falcon Compute", "capacity_h100e": 6_000}, {"party": "Pearl Cloud", "capacity_h100e": 6_000}],
            "add up to",
        ),
        (
            [{"party": "Falcon Compute", "capacity_h100e": 1}, {"party": "falcon compute llc", "capacity_h100e": 1}],
            "twice",
        ),
        ([{"party": "Falcon Compute"}], "capacity_tpp or capacity_h100e"),
        ([{"party": 999_999, "capacity_tpp": 1}], "Unknown party"),
        ([{"party": {"name": "Falcon", "country": "ZZ"}, "capacity_tpp": 1}], "Unknown country"),
    ],
)
def test_bad_caps_are_400_and_nothing_is_written(client_for, caps, message):
    negotiator = client_for(Role.NEGOTIATOR)
    body = _body()
    body["terms"]["allotments"][0]["party_caps"] = caps
    before = (TermsPeriod.objects.count(), Party.objects.count(), InvestmentMilestone.objects.count())

    response = negotiator.post(URL, body, format="json")

    assert response.status_code == 400 and message in str(response.json()), response.json()
    assert (TermsPeriod.objects.count(), Party.objects.count(), InvestmentMilestone.objects.count()) == before


@pytest.mark.parametrize(
    "role,expected",
    [
        (Role.NEGOTIATOR, 200),
        (Role.LICENSING_OFFICER, 403),
        (Role.APPROVING_OFFICIAL, 403),
        (Role.POLICY_ADMIN, 403),
        (Role.EXPORTER, 403),
        (Role.AGENCY_REVIEWER, 403),
    ],
)
def test_only_negotiators_record_milestone_deliveries(client_for, role, expected):
    created = client_for(Role.NEGOTIATOR).post(URL, _body(), format="json").json()
    milestone = InvestmentMilestone.objects.get(agreement_id=created["id"])
    url = f"{URL}{created['id']}/milestones/{milestone.pk}/record/"

    response = client_for(role).post(url, {"delivered_usd": "100.00", "verified_usd": "50.00"}, format="json")

    assert response.status_code == expected, response.json()
    milestone.refresh_from_db()
    assert milestone.verified_usd == (50 if expected == 200 else 0)


def test_milestone_actions_answer_400_and_404_for_bad_input(client_for):
    negotiator = client_for(Role.NEGOTIATOR)
    created = negotiator.post(URL, _body(), format="json").json()
    milestone = InvestmentMilestone.objects.get(agreement_id=created["id"])
    base = f"{URL}{created['id']}/milestones/"

    over = negotiator.post(f"{base}{milestone.pk}/record/", {"delivered_usd": "1", "verified_usd": "2"}, format="json")
    no_reason = negotiator.post(f"{base}{milestone.pk}/waive/", {}, format="json")
    elsewhere = negotiator.post(f"{URL}999999/milestones/{milestone.pk}/waive/", {"reason": "x"}, format="json")
    waived = negotiator.post(f"{base}{milestone.pk}/waive/", {"reason": "Folded into phase two"}, format="json")
    twice = negotiator.post(f"{base}{milestone.pk}/waive/", {"reason": "Again"}, format="json")
    listed = client_for(Role.LICENSING_OFFICER).get(base)

    assert (over.status_code, no_reason.status_code, elsewhere.status_code) == (400, 400, 404)
    assert waived.status_code == 200 and waived.json()["waiver_reason"] == "Folded into phase two"
    assert twice.status_code == 400
    assert listed.status_code == 200 and listed.json()[0]["waived_by"] == negotiator.user.username


def test_performance_lists_each_period_and_capped_party_and_the_milestones(client_for):
    negotiator = client_for(Role.NEGOTIATOR)
    created = negotiator.post(URL, _body(), format="json").json()
    agreement_id = created["id"]
    for move in ("start-negotiation", "sign", "enter-into-force"):
        assert negotiator.post(f"{URL}{agreement_id}/{move}/", {}, format="json").status_code == 200

    response = client_for(Role.LICENSING_OFFICER).get(f"{URL}{agreement_id}/performance/")
    exporter = client_for(Role.EXPORTER).get(f"{URL}{agreement_id}/performance/")
    unknown = negotiator.get(f"{URL}999999/performance/")

    assert response.status_code == 200, response.json()
    body = response.json()
    whole, falcon = body["periods"]
    assert whole["party"] is None and whole["capacity_h100e"] == "10000.00" and whole["shipped_tpp"] == 0
    assert falcon["party"]["name"] == "Falcon Compute" and falcon["remaining_h100e"] == "2000.00"
    assert body["milestones"][0]["description"] == "First US data-centre phase"
    assert exporter.status_code == 403 and unknown.status_code == 404


def test_the_admin_terms_form_reads_milestones_as_text():
    from agreements.admin.forms import AmendmentForm

    form = AmendmentForm(
        data={
            "effective_from": "2026-06-01",
            "reason": "Investment milestone",
            "investment_milestones": "2026-11-30 | 500,000,000 | First US data-centre phase | Phoenix, AZ",
            "reciprocal_investment_usd": "0",
        }
    )

    assert form.is_valid(), form.errors
    [milestone] = form.terms_payload()["investment_milestones"]
    assert milestone["amount_usd"] == 500_000_000 and milestone["us_site"] == "Phoenix, AZ"
    # The schedule's rows with their party caps: tests/agreements/test_schedule_rows.py
