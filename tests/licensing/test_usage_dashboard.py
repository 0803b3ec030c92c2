"""The allotment dashboard as a negotiator uses it: find a country, sort by any figure (pending included), page
through 200-odd countries, and take the rows away as CSV."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.admin.usage_chart import month_ends
from portal.choices import Role
from portal.display import day
from tests.factories import make_user
from tests.licensing.factories import licence, submitted

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:agreements_allotment_dashboard")


@pytest.fixture
def negotiator() -> Client:
    client = Client()
    client.force_login(make_user(Role.NEGOTIATOR))
    return client


def codes(response) -> list[str]:
    return [row["country"].code for row in response.context["rows"]]


def test_search_finds_a_country_by_name_or_code(negotiator):
    assert codes(negotiator.get(DASHBOARD, {"q": "indi"})) == ["IO", "IN"]  # British Indian Ocean Territory
    assert codes(negotiator.get(DASHBOARD, {"q": "Brazil"})) == ["BR"]
    assert "IN" in codes(negotiator.get(DASHBOARD, {"q": "in"}))  # a code exactly, or part of a name
    page = negotiator.get(DASHBOARD, {"q": "Atlantis"}).content.decode()
    assert "No country matches “Atlantis”" in page


def test_most_used_counts_pending_demand_and_pending_sorts(negotiator):
    submitted(destination="IN", quantity=2_400)  # open: 2,400 H100e asked of India's allocation, nothing committed
    response = negotiator.get(DASHBOARD)
    assert codes(response)[0] == "IN"  # pending demand counts in "most used"
    assert response.context["rows"][0]["pending"] == "2,400"
    assert codes(negotiator.get(DASHBOARD, {"sort": "-pending"}))[0] == "IN"
    assert "IN" not in codes(negotiator.get(DASHBOARD, {"sort": "pending"}))  # least pending first: not page 1
    names = [row["country"].name for row in negotiator.get(DASHBOARD, {"sort": "country"}).context["rows"]]
    assert names == sorted(names)
    assert negotiator.get(DASHBOARD, {"sort": "nonsense"}).status_code == 200  # an unknown sort falls back


def test_the_countries_come_fifty_a_page_with_totals_over_all_of_them(negotiator):
    first = negotiator.get(DASHBOARD, {"sort": "country"})
    matching = first.context["matching"]
    assert matching > 100 and len(first.context["rows"]) == 50
    second = negotiator.get(DASHBOARD, {"sort": "country", "page": "2"})
    assert set(codes(first)).isdisjoint(codes(second))
    html = first.content.decode()
    assert 'aria-label="Pages of countries"' in html and f"Total of the {matching} countries" in html
    assert negotiator.get(DASHBOARD, {"page": "999"}).status_code == 200  # past the end: the last page


def test_csv_has_every_matching_row_with_exact_tpp(negotiator):
    submitted(destination="IN", quantity=2_400)
    response = negotiator.get(DASHBOARD, {"q": "Ind", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    [india] = [row for row in rows if row["country_code"] == "IN"]
    assert india["country"] == "India" and india["pending_h100e"] == "2400"
    assert int(india["pending_tpp"]) == 2_400 * 15_832
    everything = list(csv.DictReader(io.StringIO(negotiator.get(DASHBOARD, {"format": "csv"}).content.decode())))
    assert len(everything) == negotiator.get(DASHBOARD).context["matching"]  # all pages, not just the first


def test_the_region_filter_keeps_the_countries_of_one_un_m49_region(negotiator):
    europe = negotiator.get(DASHBOARD, {"region": "europe", "sort": "country"})
    assert "PL" in codes(europe) and "IN" not in codes(europe)  # Poland: a Tier 2 allocation
    assert {row["country"].region for row in europe.context["rows"]} == {"europe"}
    assert 'name="region"' in europe.content.decode() and "in Europe" in europe.content.decode()
    page_two = europe.context["columns"][0]["url"]
    assert "region=europe" in page_two  # sorting keeps the region
    assert codes(negotiator.get(DASHBOARD, {"region": "europe", "q": "India"})) == []
    every = negotiator.get(DASHBOARD).context["matching"]
    assert negotiator.get(DASHBOARD, {"region": "atlantis"}).context["matching"] == every  # unknown: every region


def test_the_chart_shows_committed_and_pending_over_the_period_with_a_table(negotiator):
    licence(destination="IN", quantity=1_000)  # 1,000 H100e committed today
    submitted(destination="IN", quantity=2_400)  # 2,400 H100e pending
    response = negotiator.get(DASHBOARD, {"chart": "IN"})
    chart = response.context["chart"]
    assert chart["country"].code == "IN"
    first, last = chart["chart"]["rows"][0], chart["chart"]["rows"][-1]
    assert (last["committed"], last["pending"], last["demand"]) == ("1,000", "2,400", "3,400")
    assert last["day"] == day(timezone.localdate())
    if len(chart["chart"]["rows"]) > 1:  # the months before today: nothing was asked for yet
        assert (first["committed"], first["pending"]) == ("0", "0")
    html = response.content.decode()
    assert 'role="img"' in html and '<title id="usage-chart-title">India: committed and pending' in html
    assert "The chart&#x27;s figures as a table" in html or "The chart's figures as a table" in html
    assert "1,000 H100e committed and 2,400 H100e pending" in chart["chart"]["description"]


def test_the_chart_defaults_to_the_first_country_shown(negotiator):
    submitted(destination="IN", quantity=2_400)
    response = negotiator.get(DASHBOARD)
    assert response.context["chart"]["country"].code == codes(response)[0] == "IN"
    assert negotiator.get(DASHBOARD, {"chart": "ZZ"}).context["chart"]["country"].code == "IN"


def test_month_ends_cover_the_period_up_to_today():
    ends = month_ends(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), datetime.date(2026, 3, 15))
    assert ends == [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 15)]
    assert month_ends(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31), datetime.date(2026, 3, 15)) == [
        datetime.date(2027, 1, 1)
    ]
