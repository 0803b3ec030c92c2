"""The register's API (SPEC § 5.1, § 5.3 v2): who sees which parties, create-or-match, search, merge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agreements import party_services
from agreements.models import Party
from agreements.party_matching import PartyRef
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/parties/"


def post(client, **body):
    return client.post(URL, body, format="json")


@pytest.fixture
def exporter(client_for):
    return client_for("exporter", organisation="Acme")


@pytest.fixture
def officer(client_for):
    return client_for("licensing_officer")


def test_create_answers_201_then_200_with_the_existing_party_for_a_respelling(exporter):
    created = post(exporter, name="Pune Research Institute", address="Pune", country="IN")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["country"], body["hq_country"], body["headquartered_in"]) == ("IN", "IN", ["IN"])
    again = post(exporter, name="PUNE RESEARCH INSTITUTE PVT. LTD.", country="IN")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    elsewhere = post(exporter, name="Pune Research Institute", country="AE")
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != body["id"]


def test_headquartered_in_lists_the_own_headquarters_and_every_ancestors(exporter):
    parent = post(exporter, name="Dragon Compute Holdings", country="CN").json()
    body = {"name": "Lion City Compute Sdn Bhd", "address": "2 Jalan Ampang, Kuala Lumpur", "country": "MY"}
    child = post(exporter, **body, hq_country="MY", ultimate_parent=parent["id"], registration_number=None, aliases=[])
    assert child.status_code == 201, child.json()
    assert child.json()["headquartered_in"] == ["MY", "CN"]
    assert child.json()["ultimate_parent"] == parent["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "IN"}, "name"),
        ({"name": "X"}, "country"),
        ({"name": "X", "country": "ZZ"}, "country"),
        ({"name": "X", "country": "IN", "hq_country": "Q"}, "hq_country"),
        ({"name": "X", "country": "IN", "ultimate_parent": 999999}, "ultimate_parent"),
    ],
)
def test_bad_details_are_answered_400_naming_the_field(exporter, body, field):
    response = post(exporter, **body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Party.objects.exists()


def test_an_exporter_sees_its_own_filings_parties_and_those_it_created_and_no_others(client_for, exporter):
    rival = client_for("exporter", organisation="Rival")
    theirs = post(rival, name="Rival Only Compute", country="AE").json()
    shared = post(rival, name="Shared Compute", country="IN").json()
    f.notify(exporter.user, consignee="Shared Compute Pvt Ltd", destination="IN", quantity=1)  # on Acme's filing
    own = post(exporter, name="Acme Compute", country="IN").json()
    assert exporter.get(f"{URL}{theirs['id']}/").status_code == 404
    assert exporter.get(f"{URL}{shared['id']}/").status_code == 200
    listed = {row["id"] for row in exporter.get(URL).json()["results"]}
    assert listed == {shared["id"], own["id"]}
    assert "created_by" not in exporter.get(f"{URL}{own['id']}/").json()


def test_staff_see_all_with_who_created_it(client_for, exporter, officer):
    party = post(exporter, name="Falcon Compute", country="QA").json()
    body = officer.get(f"{URL}{party['id']}/").json()
    assert body["created_by"] == exporter.user.username and body["created_by_organisation"] == "Acme"


def test_roles_without_the_register_are_refused(client_for):
    assert client_for("negotiator").get(URL).status_code == 403
    assert client_for("agency_reviewer").post(URL, {"name": "X", "country": "IN"}, format="json").status_code == 403


def test_search_matches_normalised_names_for_a_type_ahead(exporter):
    pune = post(exporter, name="Pune Research Institute Pvt. Ltd.", country="IN").json()
    post(exporter, name="Mumbai Compute", country="IN")
    found = exporter.get(URL, {"search": "pune research"}).json()["results"]
    assert [row["id"] for row in found] == [pune["id"]]


def test_the_list_costs_a_constant_number_of_queries(officer, exporter):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get(URL).status_code == 200
        return len(captured)

    parent = post(exporter, name="Top Holdings", country="CN").json()
    post(exporter, name="First Compute", country="MY", ultimate_parent=parent["id"])
    queries()  # the first asks for the user's permissions too
    few = queries()
    for number in range(8):
        post(exporter, name=f"Compute {number}", country="MY", ultimate_parent=parent["id"])
    assert queries() == few


def test_staff_merge_a_duplicate_and_the_tombstone_points_at_the_survivor(exporter, officer):
    survivor = post(exporter, name="Gulf Compute", country="AE").json()
    duplicate = post(exporter, name="Gulf Compute Middle East", country="AE").json()
    assert exporter.post(f"{URL}{duplicate['id']}/merge/", {"into": survivor["id"]}, format="json").status_code == 403
    response = officer.post(f"{URL}{duplicate['id']}/merge/", {"into": survivor["id"]}, format="json")
    assert response.status_code == 200, response.json()
    assert "Gulf Compute Middle East" in response.json()["aliases"]
    assert officer.get(f"{URL}{duplicate['id']}/").json()["merged_into"] == survivor["id"]
    again = officer.post(f"{URL}{survivor['id']}/merge/", {"into": survivor["id"]}, format="json")
    assert again.status_code == 400 and "into" in again.json()


def test_a_parent_that_would_loop_is_answered_400(exporter, officer):
    top = post(exporter, name="Top Holdings", country="AE").json()
    child = post(exporter, name="Child Compute", country="AE", ultimate_parent=top["id"]).json()
    response = officer.patch(f"{URL}{top['id']}/", {"ultimate_parent": child["id"]}, format="json")
    assert response.status_code == 400 and "ultimate_parent" in response.json(), response.json()
    assert officer.get(f"{URL}{top['id']}/").json()["ultimate_parent"] is None


# The role × scope matrix of the register's endpoints (SPEC § 1: out of scope is 404; a refusal writes nothing)

OWN_ORG, OTHER_ORG = "Acme", "Rival"
ROLES = {
    "exporter": lambda: make_user("exporter", organisation=OWN_ORG),
    "exporter (other organisation)": lambda: make_user("exporter", organisation=OTHER_ORG),
    "licensing_officer": lambda: make_user("licensing_officer"),
    "approving_official": lambda: make_user("approving_official"),
    "policy_admin": lambda: make_user("policy_admin"),
    "agency_reviewer": lambda: make_user("agency_reviewer"),
    "negotiator": lambda: make_user("negotiator"),
    "anonymous": lambda: None,
}
STAFF = ("licensing_officer", "approving_official", "policy_admin")


def _expect(default, **by_role):
    table = dict.fromkeys(ROLES, default) | {"anonymous": 401}
    return table | {role.replace("_other", " (other organisation)"): code for role, code in by_role.items()}


def _world() -> dict:
    def entered(organisation, name):
        actor = make_user("exporter", organisation=organisation)
        return party_services.party_create(actor=actor, ref=PartyRef(name=name, country="AE"))[0]

    return {"own": entered(OWN_ORG, "Acme Partner Compute"), "theirs": entered(OTHER_ORG, "Rival Partner Compute")}


MATRIX = {
    "GET parties/": (
        "get",
        lambda w: URL,
        None,
        _expect(403, exporter=200, exporter_other=200, **dict.fromkeys(STAFF, 200)),
    ),
    "POST parties/": (
        "post",
        lambda w: URL,
        lambda w: {"name": "Brand New Compute", "country": "QA"},
        _expect(403, exporter=201, exporter_other=201),
    ),
    "GET parties/{id}/": (
        "get",
        lambda w: f"{URL}{w['own'].pk}/",
        None,
        _expect(403, exporter=200, exporter_other=404, **dict.fromkeys(STAFF, 200)),
    ),
    "PATCH parties/{id}/": (
        "patch",
        lambda w: f"{URL}{w['own'].pk}/",
        lambda w: {"address": "Dubai"},
        _expect(403, **dict.fromkeys(STAFF, 200)),
    ),
    "POST parties/{id}/merge/": (
        "post",
        lambda w: f"{URL}{w['theirs'].pk}/merge/",
        lambda w: {"into": w["own"].pk},
        _expect(403, **dict.fromkeys(STAFF, 200)),
    ),
}


@pytest.mark.parametrize(
    ("endpoint", "role", "status"),
    [(endpoint, role, case[3][role]) for endpoint, case in MATRIX.items() for role in ROLES],
)
def test_register_permission_matrix(endpoint, role, status):
    method, url, body, _ = MATRIX[endpoint]
    world = _world()
    user = ROLES[role]()
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    before = (Party.objects.filter(merged_into__isnull=True).count(), AuditEvent.objects.count())
    response = getattr(client, method)(url(world), body(world) if body else None, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert (Party.objects.filter(merged_into__isnull=True).count(), AuditEvent.objects.count()) == before
    if endpoint == "GET parties/" and status == 200:
        seen = {row["id"] for row in response.json()["results"]}
        expected = {
            "exporter": {world["own"].pk},
            "exporter (other organisation)": {world["theirs"].pk},
        }.get(role, {world["own"].pk, world["theirs"].pk})
        assert seen == expected
