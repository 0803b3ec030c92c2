import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client_for):
    return client_for("exporter")


def test_lists_every_country_with_its_tier_today(reader):
    rows = {row["code"]: row for row in reader.get("/api/v1/countries/").json()}
    assert len(rows) == 249
    assert (rows["MO"]["tier"], rows["MO"]["embargoed"]) == (3, True)
    assert (rows["CN"]["tier"], rows["CN"]["embargoed"]) == (3, True)
    assert (rows["JP"]["tier"], rows["JP"]["embargoed"]) == (1, False)
    assert (rows["IN"]["tier"], rows["IN"]["embargoed"]) == (2, False)
    assert rows["KH"]["tier"] == 2  # left D:5 on 2026-02-03


def test_detail_by_code_in_any_case(reader):
    response = reader.get("/api/v1/countries/ae/")
    assert response.status_code == 200
    assert response.json()["code"] == "AE"
    assert response.json()["tier"] == 2


def test_unknown_country_is_404(reader):
    assert reader.get("/api/v1/countries/XX/").status_code == 404


def test_list_runs_a_constant_number_of_queries(reader):
    with CaptureQueriesContext(connection) as all_countries:
        reader.get("/api/v1/countries/")
    assert len(all_countries) <= 3


def test_a_tier_correction_shows_from_its_date(reader, client_for):
    admin = client_for("policy_admin").user
    services.tier_membership_set(
        actor=admin,
        country=Country.objects.get(code="IN"),
        tier=3,
        effective_from=datetime.date(2025, 2, 1),
        source="Test correction",
    )
    assert reader.get("/api/v1/countries/IN/").json()["tier"] == 3


def test_countries_are_read_only(reader):
    assert reader.post("/api/v1/countries/", {"code": "ZZ", "name": "Nowhere"}).status_code == 405
