import pytest
from django.db import DatabaseError, connection, transaction

from agreements.models import Country
from portal.models import AuditEvent
from portal.services import audit_record
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    actor = make_user("policy_admin")
    return audit_record(actor=actor, verb="tier.set", target=Country.objects.get(code="KH"), payload={"tier": 2})


def test_audit_record_names_actor_verb_target_and_payload(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.verb == "tier.set"
    assert (stored.target_type, stored.target_id) == ("agreements.country", "KH")
    assert stored.payload == {"tier": 2}
    assert stored.actor.username == event.actor.username
    assert stored.created_at is not None


def test_orm_update_of_an_audit_event_is_rejected_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(verb="tier.forged")
    assert AuditEvent.objects.get(pk=event.pk).verb == "tier.set"


def test_orm_delete_of_an_audit_event_is_rejected_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE portal_auditevent SET payload = '{}' WHERE id = %s", "DELETE FROM portal_auditevent WHERE id = %s"],
    ids=["raw-update", "raw-delete"],
)
def test_raw_sql_cannot_rewrite_the_audit_trail(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).payload == {"tier": 2}


def test_new_events_can_still_be_appended(event):
    audit_record(actor=None, verb="tier.set", target=Country.objects.get(code="KH"), payload={})
    assert AuditEvent.objects.filter(target_id="KH").count() == 2


def test_the_admin_filters_the_trail_by_what_happened_and_by_target_type_in_words(event):
    from django.test import Client

    viewer = make_user("policy_admin")
    audit_record(actor=viewer, verb="agreement.signed", target=viewer, payload={})
    client = Client()
    client.force_login(viewer)
    everything = client.get("/admin/portal/auditevent/").content.decode()
    assert "Tier: set" in everything and "Agreement: signed" in everything  # the filter's choices, in words
    assert "?verb=tier.set" in everything and "?target_type=agreements.country" in everything
    only_tiers = client.get("/admin/portal/auditevent/", {"verb": "tier.set"}).content.decode()
    rows = only_tiers.split('id="result_list"')[1].split("</table>")[0]
    assert "Tier: set" in rows and "Agreement: signed" not in rows
