"""Exporter pages through Django's test client: the happy path, bad input and scope."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import services
from licensing.models import Application, ApplicationLine, ApplicationParty, LppNotification
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f
from tests.licensing.factories import approved, product

pytestmark = pytest.mark.django_db


def signed_in(*roles, **membership):
    user = make_user(*roles, **membership)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def form_data(**overrides):
    data = {
        "destination": "IN",
        "end_use_category": "commercial_datacenter",
        "end_use": "Training cluster",
        "consignee_name": "Gulf Compute LLC",
        "consignee_address": "1 Data Park",
        "consignee_country": "IN",
        "end_users-TOTAL_FORMS": "1",
        "end_users-INITIAL_FORMS": "0",
        "end_users-0-name": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product().pk),
        "lines-0-quantity": "1700",
        "lines-0-unit_price_usd": "25000",
        "lines-1-product": str(product("HGX H100 8-GPU").pk),
        "lines-1-quantity": "10",
    }
    data.update(overrides)
    return data


def counts():
    return (
        Application.objects.count(),
        ApplicationParty.objects.count(),
        ApplicationLine.objects.count(),
        AuditEvent.objects.count(),
    )


def test_exporter_files_a_two_line_application_and_submits_it():
    client = signed_in("exporter")
    response = client.post("/applications/new/", form_data())
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/applications/{application.pk}/"
    assert application.lines.count() == 2
    client.post(f"/applications/{application.pk}/submit/", {"declaration": "true"})
    application.refresh_from_db()
    assert application.status == "submitted"
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert application.acn in page
    assert "Submitted; Application Control Number" in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"lines-0-quantity": "-5"}, "lines-0-quantity", "greater than or equal to 1"),
        ({"consignee_country": "XX"}, "consignee_country", "Select a valid choice"),
        ({"consignee_name": "", "consignee_address": ""}, "consignee_name", "This field is required"),
        (
            {"lines-0-product": "", "lines-0-quantity": "", "lines-1-product": "", "lines-1-quantity": ""},
            "lines-0-product",
            "This field is required",
        ),
    ],
    ids=["negative-quantity", "unknown-consignee-country", "empty-consignee", "no-lines"],
)
def test_bad_input_shows_a_message_keeps_the_input_and_writes_nothing(overrides, field, message):
    client = signed_in("exporter")
    before = counts()
    response = client.post("/applications/new/", form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    if field:
        assert f'id="id_{field}-errors"' in page  # the message sits next to its field
    assert "Gulf Compute" in page or overrides.get("consignee_name") == ""
    assert 'value="Training cluster"' in page or "Training cluster</textarea>" in page
    assert counts() == before


def test_another_organisation_cannot_open_the_application_or_its_licence():
    mine = approved(make_user("exporter", organisation="Acme AI Systems Inc."))
    other = signed_in("exporter", organisation="Northwind Servers Ltd")
    assert other.get(f"/applications/{mine.pk}/").status_code == 404
    assert other.post(f"/applications/{mine.pk}/withdraw/").status_code == 404
    assert other.get(f"/licences/{mine.licence.number}/").status_code == 404
    assert mine.acn not in other.get("/applications/").content.decode()


def test_staff_are_sent_to_the_admin_and_cannot_use_exporter_pages():
    officer = signed_in("licensing_officer")
    assert officer.get("/").url == "/admin/"
    assert officer.get("/applications/").status_code == 403


def test_answering_a_request_for_information_resumes_review():
    from licensing import services
    from tests.licensing.factories import under_review

    exporter = make_user("exporter")
    application = under_review(exporter)
    services.application_request_info(actor=make_user("licensing_officer"), application=application, question="Who?")
    client = Client()
    client.force_login(exporter)
    assert "Who?" in client.get(f"/applications/{application.pk}/").content.decode()
    client.post(f"/applications/{application.pk}/respond/", {"answer": "The consignee itself."})
    application.refresh_from_db()
    assert application.status == "under_review"


def test_timeline_never_shows_internal_recommendations():
    exporter = make_user("exporter")
    application = approved(exporter)
    client = Client()
    client.force_login(exporter)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Approved: licence" in page
    assert "Checked the end user" not in page  # the officer's rationale stays internal


def test_shipment_form_records_and_refuses_over_shipping():
    exporter = make_user("exporter")
    licence = approved(exporter).licence
    client = Client()
    client.force_login(exporter)
    field = f"quantity_{product().pk}"
    today = timezone.localdate().isoformat()
    client.post(f"/licences/{licence.number}/", {"shipped_on": today, field: "1000"})
    licence.refresh_from_db()
    assert licence.lines.get().shipped_quantity == 1000
    page = client.post(f"/licences/{licence.number}/", {"shipped_on": today, field: "999999"}, follow=True)
    assert "exceeds the 4,000 still licensed" in page.content.decode()
    assert licence.lines.get().shipped_quantity == 1000


def test_notification_form_files_and_refuses_with_the_reason():
    client = signed_in("exporter")
    data = {
        "destination": "IN",
        "consignee": "Pune Lab",
        "end_user_hq": "IN",
        "product": product().pk,
        "quantity": 1000,
    }
    client.post("/notifications/", data)
    assert LppNotification.objects.count() == 1
    page = client.post("/notifications/", {**data, "quantity": 800}, follow=True).content.decode()
    assert "apply for a licence instead" in page
    assert LppNotification.objects.count() == 1
    assert "1000.00 of 1699.09 H100e" in client.get("/notifications/?consignee=pune+lab").content.decode()


def test_login_is_throttled_after_repeated_failures():
    client = Client()
    for _ in range(10):
        client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "nobody", "password": "wrong"}).status_code == 429


@pytest.mark.parametrize(
    ("state", "offered", "not_offered"),
    [
        ("draft", {"submit/", "edit/", "withdraw/"}, set()),
        ("submitted", {"withdraw/"}, {"submit/", "edit/"}),
        ("approved", set(), {"submit/", "edit/", "withdraw/"}),
    ],
)
def test_the_application_page_offers_what_the_table_allows_now(state, offered, not_offered):
    """The page asks the table (selectors.available_actions), not the status string."""
    application = {"draft": f.draft, "submitted": f.submitted, "approved": f.approved}[state]()
    client = Client()
    client.force_login(application.created_by)

    html = client.get(f"/applications/{application.pk}/").content.decode()

    for action in offered:
        assert f"/applications/{application.pk}/{action}" in html, action
    for action in not_offered:
        assert f"/applications/{application.pk}/{action}" not in html, action


def test_a_licence_takes_shipments_on_its_page_only_while_the_table_allows_them():
    licence = approved().licence
    client = Client()
    client.force_login(licence.application.created_by)
    assert "Record shipment" in client.get(f"/licences/{licence.number}/").content.decode()

    services.licence_suspend(actor=make_user("approving_official"), licence=licence, reason="Audit")
    html = client.get(f"/licences/{licence.number}/").content.decode()
    assert "Record shipment" not in html
    assert "it takes no shipments" in html


def test_a_revoked_licence_does_not_show_its_unshipped_units_as_remaining():
    licence = approved().licence
    client = Client()
    client.force_login(licence.application.created_by)
    assert '<th scope="col">Remaining</th>' in client.get(f"/licences/{licence.number}/").content.decode()

    services.licence_revoke(actor=make_user("approving_official"), licence=licence, reason="Diversion risk")
    html = client.get(f"/licences/{licence.number}/").content.decode()
    assert "Remaining" not in html
    assert "Not shipped" in html and "may not be shipped" in html


def test_a_failed_submit_puts_an_error_summary_first_linking_to_each_field():
    client = signed_in("exporter")
    html = client.post("/applications/new/", form_data(**{"lines-0-quantity": "-3"})).content.decode()
    summary = html.index("data-error-summary")
    assert summary < html.index('id="application-form"')
    assert 'href="#id_lines-0-quantity"' in html[summary:]


def test_sign_out_works_from_a_typed_address_and_only_a_post_signs_out():
    client = signed_in("exporter")
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post" action="/accounts/logout/"' in html and "Sign out" in html
    assert client.get("/applications/").status_code == 200  # the GET signed nobody out

    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You have signed out." in response.content.decode()
    assert client.get("/applications/").status_code == 302  # to the sign-in page
    assert Client().get("/accounts/logout/").status_code == 302  # nobody signed in: to the sign-in page


def test_timeline_reads_only_the_events_it_may_show():
    exporter = make_user("exporter")
    application = approved(exporter)
    client = Client()
    client.force_login(exporter)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "Approved: licence" in page
    (audit_read,) = [q["sql"] for q in queries.captured_queries if 'FROM "portal_auditevent"' in q["sql"]]
    assert '"portal_auditevent"."verb" IN' in audit_read  # the recommendations and referrals stay in the database
    assert "auth_user" not in audit_read  # nor are the officers who acted read
