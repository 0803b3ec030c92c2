"""The party register in the admin: staff correct entries through the service and merge duplicates."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements import party_services
from agreements.models import Party
from agreements.party_matching import PartyRef
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def staff_client(role="licensing_officer"):
    user = make_user(role)
    client = Client()
    client.force_login(user)
    return client, user


def party(name, country="AE", **details):
    return party_services.party_create(
        actor=make_user("exporter"), ref=PartyRef.coerce({"name": name, "country": country, **details})
    )[0]


def test_the_changelist_finds_parties_by_name():
    client, _ = staff_client()
    party("Gulf Compute LLC")
    page = client.get("/admin/agreements/party/", {"q": "gulf"})
    assert page.status_code == 200 and "Gulf Compute LLC" in page.content.decode()


def test_a_looping_parent_is_refused_on_the_change_form():
    client, _ = staff_client()
    top = party("Top Holdings")
    child = party("Child Compute", ultimate_parent=top.pk)
    data = {"name": top.name, "aliases": "[]", "address": "", "hq_country": "AE", "ultimate_parent": child.pk}
    page = client.post(f"/admin/agreements/party/{top.pk}/change/", {**data, "registration_number": ""})
    assert page.status_code == 200 and "cannot loop back" in page.content.decode()
    top.refresh_from_db()
    assert top.ultimate_parent is None


def test_a_correction_goes_through_the_service_and_is_audited():
    client, officer = staff_client()
    entry = party("Gulf Compute")
    data = {"name": "Gulf Compute", "aliases": "[]", "address": "Abu Dhabi", "hq_country": "QA", "ultimate_parent": ""}
    page = client.post(f"/admin/agreements/party/{entry.pk}/change/", {**data, "registration_number": ""})
    assert page.status_code == 302
    entry.refresh_from_db()
    assert (entry.hq_country_id, entry.address) == ("QA", "Abu Dhabi")
    assert AuditEvent.objects.filter(verb="party.changed", target_id=str(entry.pk), actor=officer).exists()


def test_the_merge_action_merges_into_the_oldest_and_exporters_have_no_register_admin():
    client, officer = staff_client()
    older, newer = party("Gulf Compute"), party("Gulf Compute Middle East")
    body = {"action": "merge_into_oldest", "_selected_action": [older.pk, newer.pk]}
    client.post("/admin/agreements/party/", body)
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert AuditEvent.objects.filter(verb="party.merged", target_id=str(older.pk), actor=officer).exists()
    exporter = Client()
    exporter.force_login(make_user("exporter"))
    assert exporter.get("/admin/agreements/party/").status_code in (302, 403)
    assert Party.objects.count() == 2


def test_the_register_list_costs_the_same_queries_for_1_and_for_6_parties():
    """Each row shows its country, headquarters, parent and survivor: read with the page, not per row."""
    client, _ = staff_client()
    parent = party("Parent Holdings", "SA")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/agreements/party/").status_code == 200
        return len(captured)

    few = queries()
    for number, code in enumerate(["AE", "SA", "IN", "AE", "GB"]):
        party(f"Subsidiary {number}", code, hq_country=code, ultimate_parent=parent.pk)
    assert queries() == few
