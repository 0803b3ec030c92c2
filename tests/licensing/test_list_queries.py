"""List endpoints issue the same number of SQL queries for a page of 2 rows as for a page of 30 (SPEC § 6)."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Country
from licensing import services
from licensing.models import Application, Licence, LppNotification
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db

ORG = "Acme AI Systems Inc."
_consignees = itertools.count(1)


def queries_for(user, url: str) -> tuple[int, int]:
    """(queries, rows) of one GET by `user`, read afresh so nothing is cached on it between calls."""
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def rich_application(people: dict, index: int) -> Application:
    """A case with something in every related table a listing shows: parties, lines of chips and systems,
    a request for information, a referral, a recommendation and, for every other one, a licence."""
    exporter, officer, approver = people["exporter"], people["officer"], people["approver"]
    consignee = f"Consignee {next(_consignees)}"
    application = f.under_review(
        exporter, officer=officer, consignee=consignee, items=[("H100 SXM", 10), ("HGX H100 8-GPU", 2), ("H20", 5)]
    )
    services.application_request_info(actor=officer, application=application, question="Who?")
    services.application_respond(actor=exporter, application=application, answer="Them.")
    services.application_refer(actor=officer, application=application, agencies=["defense", "state"])
    for agency in ("defense", "state"):
        services.application_agency_recommend(actor=people[agency], application=application, recommendation="approve")
    services.application_recommend(actor=officer, application=application, recommendation="approve", rationale="Ok")
    if index % 2:
        services.application_approve(actor=approver, application=application)
    return application


def ship_some(licence: Licence, exporter) -> None:
    for name in ("H100 SXM", "HGX H100 8-GPU"):
        services.shipment_report(
            actor=exporter,
            licence=licence,
            shipped_on=timezone.localdate(),
            items=[{"product": f.product(name), "quantity": 1}],
        )


@pytest.fixture
def people():
    return {
        "exporter": make_user("exporter", organisation=ORG),
        "officer": make_user("licensing_officer"),
        "approver": make_user("approving_official"),
        "defense": make_user("agency_reviewer", agency="defense"),
        "state": make_user("agency_reviewer", agency="state"),
    }


def grow(build, rows: int, count) -> None:
    while count() < rows:
        build()


@pytest.mark.parametrize("viewer", ["exporter", "officer", "approver", "defense"])
def test_application_list_queries_do_not_grow_with_rows(people, viewer):
    index = itertools.count()

    def build():
        return rich_application(people, next(index))

    grow(build, 2, Application.objects.count)
    few, rows = queries_for(people[viewer], "/api/v1/applications/")
    assert rows == 2
    grow(build, 30, Application.objects.count)
    many, rows = queries_for(people[viewer], "/api/v1/applications/")
    assert rows == 30
    assert many == few


def test_the_lists_name_each_lines_product(people):
    """Each line names its product as the catalogue does (vendor and name), on the applications and the licences."""
    rich_application(people, 1)
    client = APIClient()
    client.force_authenticate(people["exporter"])
    (application,) = client.get("/api/v1/applications/").json()["results"]
    assert [item["product_name"] for item in application["items"]] == [
        "NVIDIA H100 SXM",
        "NVIDIA HGX H100 8-GPU",
        "NVIDIA H20",
    ]
    (licence,) = client.get("/api/v1/licences/").json()["results"]
    assert [line["product_name"] for line in licence["lines"]] == ["NVIDIA H100 SXM", "NVIDIA HGX H100 8-GPU"]


def shipped_licence(people) -> None:
    """A licence of the exporter's with two lines, part shipped."""
    licence = f.licence(
        people["exporter"],
        officer=people["officer"],
        approver=people["approver"],
        consignee=f"Consignee {next(_consignees)}",
        items=[("H100 SXM", 10), ("HGX H100 8-GPU", 3)],
    )
    ship_some(licence, people["exporter"])


@pytest.mark.parametrize("viewer", ["exporter", "officer"])
def test_licence_list_queries_do_not_grow_with_rows(people, viewer):
    def build():
        shipped_licence(people)

    grow(build, 2, Licence.objects.count)
    few, rows = queries_for(people[viewer], "/api/v1/licences/")
    assert rows == 2
    grow(build, 30, Licence.objects.count)
    many, rows = queries_for(people[viewer], "/api/v1/licences/")
    assert rows == 30
    assert many == few


def test_the_exporters_list_reads_no_referrals(people):
    """An exporter's page never shows the referrals (SPEC § 1): they are not read, a query less a page."""
    rich_application(people, 0)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=people["exporter"].pk))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/applications/")
    assert response.status_code == 200
    assert "referrals" not in response.json()["results"][0]
    assert not [query for query in captured if "licensing_referral" in query["sql"]]


def test_the_licence_list_page_queries_do_not_grow_with_rows(people):
    """The exporter's licence list shows each licence's ACN and its lines, read with the page: not a query a row,
    and not the shipments and obligations that only a licence's own page shows."""
    exporter = people["exporter"]
    client = Client()
    client.force_login(exporter)

    def build():
        shipped_licence(people)

    def queries() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/licences/")
        assert response.status_code == 200
        html = response.content.decode()
        for licence in Licence.objects.select_related("application"):
            assert licence.number in html and licence.application.acn in html
        assert "HGX H100 8-GPU: 1 / 3" in html
        return len(captured), [query["sql"] for query in captured]

    grow(build, 2, Licence.objects.count)
    few, statements = queries()
    grow(build, 12, Licence.objects.count)
    many, _ = queries()
    assert many == few
    assert not [sql for sql in statements if "licensing_shipment" in sql or "licensing_obligation" in sql]
    # The pager counts the organisation's licences alone: the ACN is joined to the page's rows, not to the count
    # (joined there, it read every licence's application: 8 ms of the page's 12 in the database at 4,000 licences).
    counts = [sql for sql in statements if "COUNT(*)" in sql and "licensing_licence" in sql]
    assert counts and not [sql for sql in counts if "licensing_application" in sql], counts


@pytest.mark.parametrize("viewer", ["exporter", "officer"])
def test_notification_list_queries_do_not_grow_with_rows(people, viewer):
    exporter = people["exporter"]

    def build():
        services.notification_file(
            actor=exporter,
            destination=Country.objects.get(code="IN"),
            consignee=f"Consignee {next(_consignees)}",
            end_user_hq=[],
            items=[
                {"product": f.product("H100 SXM"), "quantity": 5},
                {"product": f.product("H200 SXM"), "quantity": 5},
            ],
        )

    grow(build, 2, LppNotification.objects.count)
    few, rows = queries_for(people[viewer], "/api/v1/notifications/")
    assert rows == 2
    grow(build, 30, LppNotification.objects.count)
    many, rows = queries_for(people[viewer], "/api/v1/notifications/")
    assert rows == 30
    assert many == few


def test_audit_event_list_queries_do_not_grow_with_rows(people):
    exporter = people["exporter"]
    drafts = []

    def build():
        drafts.append(f.draft(make_user("exporter", organisation=f"Org {len(drafts)}")))  # a new actor each time

    url = "/api/v1/audit-events/?target_type=licensing.application"
    grow(build, 2, lambda: AuditEvent.objects.filter(target_type="licensing.application").count())
    few, rows = queries_for(people["officer"], url)
    assert rows == 2
    grow(build, 30, lambda: AuditEvent.objects.filter(target_type="licensing.application").count())
    many, rows = queries_for(people["officer"], url)
    assert rows == 30
    assert many == few
    assert exporter  # the fixture's exporter made nothing: every row has its own actor


def test_application_filters_select_what_they_say():
    exporter = make_user("exporter", organisation=ORG)
    officer = make_user("licensing_officer")
    india = f.reviewed_after_referral(exporter, officer=officer)
    uae = f.submitted(exporter, destination="AE", consignee="Gulf Lab")
    client = APIClient()
    client.force_authenticate(officer)

    def ids(query):
        response = client.get(f"/api/v1/applications/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("destination=in") == {india.pk}
    assert ids("destination=AE") == {uae.pk}
    assert ids(f"acn={india.acn.lower()}") == {india.pk}
    assert ids("status=submitted") == {uae.pk}
    assert ids("status=submitted&status=under_review") == {india.pk, uae.pk}
    assert ids("agency=defense") == {india.pk}
    assert ids("agency=energy") == set()
