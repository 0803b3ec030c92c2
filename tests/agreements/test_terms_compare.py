"""Two terms versions side by side: what a negotiator changed, in words, without comparing by eye."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.units import H100_TPP
from portal.choices import Role
from tests.agreements.factories import make_agreement, period, this_year
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def amended():
    agreement = make_agreement(S.IN_FORCE)
    start, end = this_year()
    services.amendment_create(
        actor=make_user(Role.NEGOTIATOR),
        agreement=agreement,
        effective_from=timezone.localdate(),
        reason="Capacity doubled after review",
        terms={"allotments": [period(start, end, 2_000 * H100_TPP)], "site_visits_accepted": True},
    )
    return agreement


def test_the_comparison_shows_what_changed_between_two_versions():
    agreement = amended()
    url = reverse("admin:agreements_agreement_terms_compare", args=[agreement.pk])
    response = client_for(Role.NEGOTIATOR).get(url)
    assert response.status_code == 200
    assert (response.context["before"].version, response.context["after"].version) == (1, 2)
    changed = {row.label: (row.before, row.after) for row in response.context["terms"] if row.changed}
    assert changed["Site visits accepted"] == ("no", "yes")
    assert "Government assurances" not in changed
    [capacity] = [row for row in response.context["periods"] if row.changed]
    assert "1,000" in capacity.before and "2,000" in capacity.after
    html = response.content.decode()
    assert "changes from version 1 to version 2" in html and "Capacity doubled after review" in html
    assert "(changed)" in html  # said in words, not by colour alone


def test_any_two_versions_can_be_chosen_and_the_agreement_page_links_here():
    agreement = amended()
    staff = client_for(Role.LICENSING_OFFICER)  # staff read agreements too
    url = reverse("admin:agreements_agreement_terms_compare", args=[agreement.pk])
    same = staff.get(url, {"from": "2", "to": "2"})
    assert "No change between version 2 and version 2" in same.content.decode()
    page = client_for(Role.NEGOTIATOR).get(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    assert url in page.content.decode()


def test_an_agreement_with_one_version_says_there_is_nothing_to_compare():
    agreement = make_agreement(S.DRAFT)
    url = reverse("admin:agreements_agreement_terms_compare", args=[agreement.pk])
    html = client_for(Role.NEGOTIATOR).get(url).content.decode()
    assert "nothing to compare yet" in html
