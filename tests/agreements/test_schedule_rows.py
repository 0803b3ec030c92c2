"""The allotment schedule as rows in the admin terms forms (agreements.admin.schedule_rows): a negotiator types
each period and its party caps in cells, adds rows without JavaScript, and a bad row is explained on that row with
nothing written."""

import datetime

import pytest
from django.test import Client

from agreements.choices import AgreementStatus as S
from agreements.models import Agreement, Allotment, Party, TermsPeriod
from agreements.units import H100_TPP
from portal.choices import Role
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement, schedule_rows, this_year
from tests.agreements.test_admin import ADD, agreement_form, amend_url
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiator() -> Client:
    client = Client()
    client.force_login(make_user(Role.NEGOTIATOR))
    return client


@pytest.fixture
def g42() -> Party:
    return Party.objects.create(
        name="G42", normalised_name="g42", country_id="AE", hq_country_id="AE", created_at="2026-01-01T00:00:00Z"
    )


def _year(offset: int = 0) -> tuple[datetime.date, datetime.date]:
    start, end = this_year()
    return start.replace(year=start.year + offset), end.replace(year=end.year + offset)


def test_a_new_agreement_takes_its_periods_and_party_caps_from_the_rows(negotiator, g42):
    (start, end), (next_start, next_end) = _year(), _year(1)
    rows = schedule_rows(
        (next_start, next_end, 1_583_200_000, "tpp"),  # typed out of order: saved earliest first
        (start, end, 100_000, "h100e"),
        caps={1: [("G42, AE", 20_000, "h100e")], 0: [(f"#{g42.pk}", 15_832_000, "tpp")]},
    )
    response = negotiator.post(ADD, agreement_form(schedule=rows, country="AE", reference="G2G-AE-2026"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    periods = list(Agreement.objects.get().terms_versions.get().periods.order_by("period_start"))
    assert [(p.period_start, p.capacity_tpp) for p in periods] == [
        (start, 100_000 * H100_TPP),
        (next_start, 1_583_200_000),
    ]
    assert [(c.party, c.capacity_tpp) for c in periods[0].party_caps.all()] == [(g42, 20_000 * H100_TPP)]
    assert [(c.party, c.capacity_tpp) for c in periods[1].party_caps.all()] == [(g42, 15_832_000)]


def _bad(start, end, caps=None, *more):
    return schedule_rows((start, end, 100, "h100e"), *more, caps=caps)


@pytest.mark.parametrize(
    "case, rows, field, message",
    [
        ("end before start", lambda s, e: _bad(e, s), "period_end", "ends before it starts"),
        ("negative", lambda s, e: schedule_rows((s, e, -5, "h100e")), "amount", "cannot be negative"),
        ("zero", lambda s, e: schedule_rows((s, e, 0, "tpp")), "amount", "more than zero"),
        ("no end", lambda s, e: schedule_rows((s, "", 5, "tpp")), "period_end", "last day"),
        (
            "overlap",
            lambda s, e: schedule_rows((s, e, 5, "h100e"), (s + datetime.timedelta(days=100), e, 5, "h100e")),
            "period_start",
            "overlaps the one from",
        ),
    ],
)
def test_a_bad_period_is_explained_on_its_row_and_nothing_is_written(negotiator, case, rows, field, message):
    start, end = _year()
    response = negotiator.post(ADD, agreement_form(schedule=rows(start, end)))
    assert response.status_code == 200
    form = response.context["adminform"].form
    bad_rows = [row for row in form.schedule_rows if row.errors]
    assert len(bad_rows) == 1 and message in bad_rows[0].errors[field][0]
    assert list(form.errors) == ["schedule"] and form.errors["schedule"][0].startswith("Period ")
    assert 'class="errornote"' in response.content.decode()  # the page's error note (it takes the focus)
    assert not Agreement.objects.exists() and not TermsPeriod.objects.exists()


def test_every_mistake_of_the_rows_is_shown_at_once(negotiator, g42):
    start, end = _year()
    rows = schedule_rows(
        (start, end, 100, "h100e"),
        (start.replace(month=6), end, -1, "h100e"),  # overlaps period 1, and a negative capacity
        caps={0: [("G42, AE", 200, "h100e")]},  # above period 1's capacity
    )
    errors = negotiator.post(ADD, agreement_form(schedule=rows)).context["adminform"].form.errors["schedule"]
    assert any("Period 2, starts: The period overlaps" in error for error in errors)
    assert any("Period 2, capacity: The capacity cannot be negative" in error for error in errors)
    assert any("Period 1, party cap 1, cap: The cap is larger than the period's capacity" in e for e in errors)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    "cap, message",
    [
        (("G42, AE", 101, "h100e"), "larger than the period's capacity"),
        (("Nobody Compute, AE", 5, "h100e"), "No party “Nobody Compute, AE” in the register"),
        (("#999999", 5, "h100e"), "No party #999999"),
        (("G42, AE", -1, "h100e"), "more than zero"),
        (("", 5, "h100e"), "Name the party"),
    ],
)
def test_a_bad_party_cap_is_explained_on_its_row_and_nothing_is_written(negotiator, g42, cap, message):
    start, end = _year()
    parties = Party.objects.count()
    response = negotiator.post(ADD, agreement_form(schedule=_bad(start, end, {0: [cap]})))
    assert response.status_code == 200
    [row] = response.context["adminform"].form.schedule_rows.forms
    [cap_row] = row.caps.forms
    assert message in " ".join(error for errors in cap_row.errors.values() for error in errors)
    assert "Period 1, party cap 1" in response.context["adminform"].form.errors["schedule"][0]
    assert not Agreement.objects.exists() and Party.objects.count() == parties
    assert not AuditEvent.objects.filter(verb="agreement.created").exists()


def test_add_a_period_and_add_a_cap_show_one_more_row_and_save_nothing(negotiator):
    start, end = _year()
    data = agreement_form(schedule=schedule_rows((start, end, 100, "h100e")))
    response = negotiator.post(ADD, {**data, "schedule-add": "1"})
    assert response.status_code == 200 and not Agreement.objects.exists()
    form = response.context["adminform"].form
    assert not form.errors and len(form.schedule_rows.forms) == 2  # the typed row kept, one empty row below
    assert form.schedule_rows.forms[0]["amount"].value() == "100"
    assert 'class="errornote"' not in response.content.decode()
    response = negotiator.post(ADD, {**data, "schedule-0-caps-add": "1"})
    [row] = response.context["adminform"].form.schedule_rows.forms
    assert len(row.caps.forms) == 1 and not Agreement.objects.exists()


def test_the_page_shows_the_rows_and_an_empty_one_to_fill(negotiator):
    page = negotiator.get(ADD).content.decode()
    for name in ("schedule-0-period_start", "schedule-0-period_end", "schedule-0-amount", "schedule-0-unit"):
        assert f'name="{name}"' in page
    assert 'name="schedule-0-caps-0-party"' in page and 'name="schedule-add"' in page
    assert "Add a party cap to period 1" in page


def test_an_amendment_is_prefilled_with_the_rows_and_can_drop_a_period_and_cap_a_party(negotiator, g42):
    agreement = make_agreement(S.IN_FORCE, country="AE")
    form = negotiator.get(amend_url(agreement)).context["form"]
    [row] = [row for row in form.schedule_rows if row.initial]
    start, end = row.initial["period_start"], row.initial["period_end"]
    rows = schedule_rows(
        (start, end, 3_000, "h100e"),
        (end + datetime.timedelta(days=1), end.replace(year=end.year + 1), 9, "h100e"),
        caps={0: [("g42", 500, "h100e")]},  # a name alone is matched as the register matches names
        initial=1,
    )
    rows["schedule-1-DELETE"] = "on"  # removed again before saving
    data = {"effective_from": start.isoformat(), "reason": "Capacity raised", "reciprocal_investment_usd": "0"}
    response = negotiator.post(amend_url(agreement), {**data, **rows})
    assert response.status_code == 302, response.context["form"].errors
    allotment = Allotment.objects.get(agreement=agreement)
    assert allotment.capacity_tpp == 3_000 * H100_TPP
    assert [(c.party, c.capacity_tpp) for c in allotment.party_caps.all()] == [(g42, 500 * H100_TPP)]


def test_rows_tampered_with_are_refused_not_a_server_error(negotiator):
    start, end = _year()
    rows = schedule_rows((start, end, "lots", "h100e"), caps={0: [("G42, AE", "x", "kg")]})
    rows |= {"schedule-0-unit": "furlongs", "schedule-TOTAL_FORMS": "many", "schedule-add": "1"}
    response = negotiator.post(ADD, agreement_form(schedule=rows))
    assert response.status_code == 200 and not Agreement.objects.exists()
    rows["schedule-TOTAL_FORMS"] = "1"
    del rows["schedule-add"]
    errors = negotiator.post(ADD, agreement_form(schedule=rows)).context["adminform"].form.errors["schedule"]
    assert any("Period 1, capacity: Enter a whole number" in error for error in errors)
    assert any("Period 1, unit of the capacity: Select a valid choice" in error for error in errors)
    assert any("Period 1, party cap 1, cap: Enter a whole number" in error for error in errors)
