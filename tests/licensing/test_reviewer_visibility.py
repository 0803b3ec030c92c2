"""What an agency reviewer is shown of a case (SPEC § 1): the case facts and its own agency's referral; of every
other agency only whether it answered, until its own agency has recorded its answer — then the other agencies'
answers too. Never the officer's recommendation or rationale. And exporters' filters never reveal routing."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import services
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

OFFICER_RATIONALE = "Officer note: parent company on a watch list."
STATE_RATIONALE = "State cable 24-117: diversion concern."
DEFENSE_RATIONALE = "Defense: no military end use found."


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case():
    """Recommended by the officer, then referred to Defense and State; State has answered (deny)."""
    officer = make_user("licensing_officer")
    application = f.under_review(officer=officer)
    services.application_recommend(
        actor=officer, application=application, recommendation="deny", rationale=OFFICER_RATIONALE
    )
    services.application_refer(actor=officer, application=application, agencies=["defense", "state"])
    services.application_agency_recommend(
        actor=make_user("agency_reviewer", agency="state"),
        application=application,
        recommendation="deny",
        rationale=STATE_RATIONALE,
    )
    return application


@pytest.fixture
def defense():
    return make_user("agency_reviewer", agency="defense")


def answer_for_defense(application, reviewer):
    services.application_agency_recommend(
        actor=reviewer, application=application, recommendation="approve", rationale=DEFENSE_RATIONALE
    )


def by_agency(body) -> dict:
    return {entry["agency"]: entry for entry in body["referrals"]}


def assert_no_officer_internals(body: dict):
    for internal in ("recommendation", "recommendation_rationale", "recommended_by", "officer"):
        assert internal not in body
    assert OFFICER_RATIONALE not in str(body)


# API: detail and list


def test_before_answering_the_reviewer_sees_of_state_only_that_it_answered(case, defense):
    client = api(defense)
    for body in (
        client.get(f"/api/v1/applications/{case.pk}/").json(),
        client.get("/api/v1/applications/").json()["results"][0],
    ):
        referrals = by_agency(body)
        assert referrals["state"] == {"agency": "state", "answered": True}
        assert referrals["defense"]["answered"] is False
        assert referrals["defense"]["due_at"]  # its own referral, with its 30-day due date
        assert STATE_RATIONALE not in str(body)
        assert_no_officer_internals(body)
        # The case facts a review needs
        assert body["parties"]["ultimate_consignee"]["name"]
        assert body["items"] and body["end_use"] and body["determination"]["outcome"]


def test_after_answering_the_reviewer_sees_the_other_agencies_answers(case, defense):
    answer_for_defense(case, defense)
    body = api(defense).get(f"/api/v1/applications/{case.pk}/").json()
    referrals = by_agency(body)
    assert referrals["defense"]["recommendation"] == "approve"
    assert referrals["defense"]["rationale"] == DEFENSE_RATIONALE
    assert referrals["state"]["answered"] is True
    assert referrals["state"]["recommendation"] == "deny"
    assert referrals["state"]["rationale"] == STATE_RATIONALE
    assert_no_officer_internals(body)  # still never the officer's


def test_state_after_answering_sees_only_that_defense_has_not_answered(case):
    state = make_user("agency_reviewer", agency="state")
    referrals = by_agency(api(state).get(f"/api/v1/applications/{case.pk}/").json())
    assert referrals["defense"] == {"agency": "defense", "answered": False}  # nothing to show yet
    assert referrals["state"]["rationale"] == STATE_RATIONALE


def test_the_agency_recommendation_answer_is_the_reviewer_shape(case, defense):
    body = api(defense).post(
        f"/api/v1/applications/{case.pk}/agency-recommendation/",
        {"recommendation": "approve", "rationale": DEFENSE_RATIONALE},
        format="json",
    )
    assert body.status_code == 200, body.content
    assert_no_officer_internals(body.json())
    assert by_agency(body.json())["state"]["rationale"] == STATE_RATIONALE  # answered now


def test_staff_still_see_everything(case):
    body = api(make_user("approving_official")).get(f"/api/v1/applications/{case.pk}/").json()
    assert body["recommendation_rationale"] == OFFICER_RATIONALE
    assert by_agency(body)["state"]["rationale"] == STATE_RATIONALE
    assert by_agency(body)["defense"]["answered"] is False


# The admin case page


def admin_page(user, application) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_admin_page_before_answering_shows_state_only_as_answered(case, defense):
    html = admin_page(defense, case)
    assert STATE_RATIONALE not in html
    assert OFFICER_RATIONALE not in html
    assert "recommended deny" not in html  # neither State's answer nor the officer's
    assert "officer recommends" not in html
    assert "Answered" in html and "Defense" in html and "State" in html


def test_admin_page_after_answering_shows_state_answer_but_never_the_officer(case, defense):
    answer_for_defense(case, defense)
    html = admin_page(defense, case)
    assert STATE_RATIONALE in html
    assert DEFENSE_RATIONALE in html
    assert OFFICER_RATIONALE not in html
    assert "officer recommends" not in html


def test_admin_page_for_staff_keeps_the_officer_recommendation(case):
    html = admin_page(make_user("approving_official"), case)
    assert OFFICER_RATIONALE in html and STATE_RATIONALE in html


# Exporters' filters never reveal routing


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/licences/", "/api/v1/notifications/"])
def test_an_exporters_list_is_the_same_whatever_agency_is_asked(path, case):
    exporter = make_user("exporter")  # the case's organisation (Acme)
    f.submitted(exporter, consignee="Unreferred Lab")
    f.licence(exporter, consignee="Licensed Lab")
    f.notify(exporter)
    client = api(exporter)
    plain = client.get(path)
    assert plain.status_code == 200
    assert plain.json()["results"]
    for query in ("agency=defense", "agency=energy", "agency=nonsense", "agency=", "officer=1", "recommendation=deny"):
        response = client.get(f"{path}?{query}")
        assert (response.status_code, response.json()) == (200, plain.json()), query


def test_staff_and_reviewers_keep_the_agency_filter(case, defense):
    other = f.referred(agencies=("energy",), consignee="Energy Lab")
    officer = api(make_user("licensing_officer"))
    ids = {row["id"] for row in officer.get("/api/v1/applications/?agency=energy").json()["results"]}
    assert ids == {other.pk}
    ids = {row["id"] for row in api(defense).get("/api/v1/applications/?agency=state").json()["results"]}
    assert ids == {case.pk}


def test_referred_again_the_reviewer_must_answer_again_before_seeing_the_others(case, defense):
    answer_for_defense(case, defense)  # the last awaited answer: the case is back under review
    services.application_refer(actor=make_user("licensing_officer"), application=case, agencies=["defense"])
    referrals = api(defense).get(f"/api/v1/applications/{case.pk}/").json()["referrals"]
    assert [r for r in referrals if r["agency"] == "state"] == [{"agency": "state", "answered": True}]
    assert STATE_RATIONALE not in str(referrals)
