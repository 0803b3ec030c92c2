"""The allotments API (SPEC § 5.1): use and demand per allotment, filters, the ledger, roles, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.models import Allotment
from agreements.units import H100_TPP
from portal.choices import Role
from tests.agreements.factories import make_agreement, period, this_year

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
READERS = {Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL, Role.POLICY_ADMIN, Role.NEGOTIATOR}
URL = "/api/v1/allotments/"
FIELDS = {
    "id",
    "country",
    "period_start",
    "period_end",
    "source",
    "agreement",
    "capacity_tpp",
    "committed_tpp",
    "pending_tpp",
    "remaining_tpp",
    "remaining_h100e",
    "uplifted",
}
TIER2_ALLOCATION = 790_000_000


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer_api(client_for):
    return client_for(Role.LICENSING_OFFICER)


@pytest.fixture
def india():
    """An agreement with India in force (1,000 H100e this year) and 300 H100e of it licensed."""
    agreement = make_agreement(S.IN_FORCE)
    allotment = Allotment.objects.get(agreement=agreement)
    services.allotment_reserve(
        actor=None, allotment_id=allotment.pk, tpp=300 * H100_TPP, consignee="gulf compute llc", reference="L-1"
    )
    return agreement, allotment


def rows(client, query=""):
    response = client.get(f"{URL}{query}")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_an_allotment_shows_capacity_committed_and_remaining(officer_api, india):
    agreement, allotment = india
    (row,) = rows(officer_api, f"?agreement={agreement.pk}")
    start, end = this_year()
    assert row == {
        "id": allotment.pk,
        "country": "IN",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "source": "agreement",
        "agreement": agreement.pk,
        "capacity_tpp": 1_000 * H100_TPP,
        "committed_tpp": 300 * H100_TPP,
        "pending_tpp": 0,
        "remaining_tpp": 700 * H100_TPP,
        "remaining_h100e": "700.00",
        "uplifted": False,
    }
    assert officer_api.get(f"{URL}{allotment.pk}/").json() == row


def test_the_tier2_allocation_shows_the_uplift_while_an_agreement_is_in_force(officer_api):
    before = rows(officer_api, "?country=IN&source=tier_allocation")
    assert [(r["capacity_tpp"], r["uplifted"], r["agreement"]) for r in before] == [(TIER2_ALLOCATION, False, None)]
    make_agreement(S.IN_FORCE)
    after = rows(officer_api, "?country=IN&source=tier_allocation")
    assert [(r["capacity_tpp"], r["remaining_tpp"], r["uplifted"]) for r in after] == [
        (2 * TIER2_ALLOCATION, 2 * TIER2_ALLOCATION, True)
    ]


def test_a_capacity_cut_below_what_is_committed_shows_nothing_remaining(officer_api, india):
    agreement, allotment = india
    start, end = this_year()
    services.amendment_create(
        actor=None,
        agreement=agreement,
        effective_from=timezone.localdate(),
        reason="Cut",
        terms={"allotments": [period(start, end, 100 * H100_TPP)]},
    )
    row = officer_api.get(f"{URL}{allotment.pk}/").json()
    assert (row["capacity_tpp"], row["committed_tpp"], row["remaining_tpp"], row["remaining_h100e"]) == (
        100 * H100_TPP,
        300 * H100_TPP,
        0,
        "0.00",
    )


def test_filter_by_country_in_any_case_and_by_source(officer_api, india):
    make_agreement(S.IN_FORCE, country="AE")
    assert {r["country"] for r in rows(officer_api, "?country=in")} == {"IN"}
    assert {(r["country"], r["source"]) for r in rows(officer_api, "?country=IN")} == {
        ("IN", "tier_allocation"),
        ("IN", "agreement"),
    }
    assert {r["country"] for r in rows(officer_api, "?source=agreement")} == {"IN", "AE"}
    assert rows(officer_api, "?country=US") == []  # a real country without allotments


@pytest.mark.parametrize("query", ["?country=XX", "?country=India", "?source=gift", "?agreement=abc"])
def test_an_unknown_filter_value_is_400(officer_api, query):
    response = officer_api.get(f"{URL}{query}")
    assert response.status_code == 400
    assert query[1:].split("=")[0] in response.json()


def test_the_list_is_newest_first_and_shows_every_field(officer_api, india):
    listed = rows(officer_api)
    assert listed[0]["id"] == india[1].pk
    assert [r["id"] for r in listed] == sorted((r["id"] for r in listed), reverse=True)
    assert all(set(r) == FIELDS for r in listed)


def test_the_ledger_lists_reserves_and_releases_newest_first(client_for, india):
    _, allotment = india
    official = client_for(Role.APPROVING_OFFICIAL)
    services.allotment_release(
        actor=official.user,
        allotment_id=allotment.pk,
        tpp=100 * H100_TPP,
        consignee="gulf compute llc",
        reference="L-1",
    )
    entries = official.get(f"{URL}{allotment.pk}/ledger/").json()["results"]
    assert [(e["kind"], e["tpp"], e["h100e"], e["reference"], e["actor"]) for e in entries] == [
        ("release", 100 * H100_TPP, "100.00", "L-1", official.user.username),
        ("reserve", 300 * H100_TPP, "300.00", "L-1", None),
    ]
    assert set(entries[0]) == {"id", "kind", "tpp", "h100e", "consignee", "party", "reference", "created_at", "actor"}
    row = official.get(f"{URL}{allotment.pk}/").json()
    assert row["capacity_tpp"] - row["remaining_tpp"] == 300 * H100_TPP - 100 * H100_TPP


def test_an_unknown_allotment_is_404(officer_api):
    assert officer_api.get(f"{URL}999999/").status_code == 404
    assert officer_api.get(f"{URL}999999/ledger/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_allotments_only_move_through_the_services(client_for, india, method):
    negotiator = client_for(Role.NEGOTIATOR)
    _, allotment = india
    path = URL if method == "post" else f"{URL}{allotment.pk}/"
    response = getattr(negotiator, method)(path, {"capacity_tpp": 1}, format="json")
    assert response.status_code == 405
    assert Allotment.objects.get(pk=allotment.pk).capacity_tpp == 1_000 * H100_TPP


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["list", "detail", "ledger"])
def test_role_matrix(client_for, india, role, endpoint):
    _, allotment = india
    path = {"list": URL, "detail": f"{URL}{allotment.pk}/", "ledger": f"{URL}{allotment.pk}/ledger/"}[endpoint]
    response = client_for(role).get(path)
    assert response.status_code == (200 if role in READERS else 403)


def test_anonymous_callers_are_401(api):
    assert api.get(URL).status_code == 401


# A constant number of queries, whatever the page size


def queries_for(client, path) -> tuple[int, int]:
    client.get(path)  # warm the per-user role cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(captured), len(response.json()["results"])


def test_the_allotment_list_runs_the_same_queries_for_2_and_30_rows(officer_api, india):
    make_agreement(S.IN_FORCE, country="AE")  # uplifts a Tier 2 allocation on the page
    for query in ("", "?country=IN", "?source=tier_allocation"):
        two = queries_for(officer_api, f"{URL}{query}{'&' if query else '?'}page_size=2")
        thirty = queries_for(officer_api, f"{URL}{query}{'&' if query else '?'}page_size=30")
        assert two[0] == thirty[0], query
    assert (two[1], thirty[1]) == (2, 30)


def test_the_ledger_runs_the_same_queries_for_2_and_30_rows(client_for, india):
    _, allotment = india
    official = client_for(Role.APPROVING_OFFICIAL)
    for number in range(29):
        services.allotment_reserve(
            actor=official.user, allotment_id=allotment.pk, tpp=H100_TPP, consignee="c", reference=f"L-{number + 2}"
        )
    two = queries_for(official, f"{URL}{allotment.pk}/ledger/?page_size=2")
    thirty = queries_for(official, f"{URL}{allotment.pk}/ledger/?page_size=30")
    assert (two[1], thirty[1]) == (2, 30)
    assert two[0] == thirty[0]
