"""The register's writes (SPEC § 2 "Party"): match or create, ultimate-parent chains, staff merge."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements import party_services, selectors
from agreements.models import Party
from agreements.party_matching import PartyRef
from licensing.models import ApplicationParty, LppConsigneeYear, LppNotification
from licensing.services.parties import party_merge
from portal.models import AuditEvent
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def create(actor=None, **details):
    actor = actor or make_user("exporter")
    return party_services.party_create(actor=actor, ref=PartyRef.coerce(details))


def counts() -> tuple[int, int]:
    return Party.objects.count(), AuditEvent.objects.count()


def test_creating_a_party_registers_it_headquartered_where_it_is_located_and_audits_it():
    exporter = make_user("exporter", organisation="Acme")
    party, created = create(exporter, name="Pune Research Institute", country="IN")
    assert created
    assert (party.country_id, party.hq_country_id, party.normalised_name) == ("IN", "IN", "puneresearchinstitute")
    assert party.created_by == exporter and party.created_by_organisation.name == "Acme"
    event = AuditEvent.objects.get(verb="party.created", target_id=str(party.pk))
    assert event.payload["country"] == "IN" and event.actor == exporter


def test_a_respelling_in_the_same_country_is_the_same_party_and_another_country_another_party():
    exporter = make_user("exporter")
    first, _ = create(exporter, name="Pune Research Institute", country="IN")
    before = counts()
    again, created = create(exporter, name="PUNE RESEARCH INSTITUTE PVT. LTD.", country="IN")
    assert (again.pk, created) == (first.pk, False)
    assert counts() == before  # nothing written for a match
    uae, created = create(name="Pune Research Institute", country="AE")
    assert created and uae.pk != first.pk


def test_unknown_countries_and_missing_names_are_refused_and_nothing_is_written():
    exporter = make_user("exporter")
    before = counts()
    with pytest.raises(ValidationError) as error:
        create(exporter, name="  ", country="ZZ")
    assert set(error.value.message_dict) == {"name", "country"}
    assert counts() == before


def test_only_roles_that_may_add_parties_create_them():
    with pytest.raises(PermissionDenied):
        create(make_user("negotiator"), name="Falcon Compute", country="QA")


def test_headquartered_in_follows_the_ultimate_parent_chain():
    grandparent, _ = create(name="Dragon Holdings", country="CN")
    parent, _ = create(name="Dragon Asia", country="SG", ultimate_parent=grandparent.pk)
    child, _ = create(name="Lion City Compute Sdn Bhd", country="MY", hq_country="MY", ultimate_parent=parent.pk)
    assert selectors.party_headquartered_in(child) == ["MY", "CN", "SG"]
    assert selectors.headquarters_of([child.pk]) == {"MY", "SG", "CN"}
    assert selectors.parties_headquartered_in([child, parent]) == {
        child.pk: ["MY", "SG", "CN"],
        parent.pk: ["SG", "CN"],
    }


def test_a_parent_that_would_make_the_chain_loop_is_refused():
    officer = make_user("licensing_officer")
    top, _ = create(name="Top Holdings", country="AE")
    middle, _ = create(name="Middle Compute", country="AE", ultimate_parent=top.pk)
    bottom, _ = create(name="Bottom Compute", country="AE", ultimate_parent=middle.pk)
    before = counts()
    for parent in (bottom, top):  # Top owned by its own grandchild, or by itself
        with pytest.raises(ValidationError) as error:
            party_services.party_update(actor=officer, party_id=top.pk, ultimate_parent=parent.pk)
        assert "loop" in error.value.message_dict["ultimate_parent"][0]
    assert counts() == before
    top.refresh_from_db()
    assert top.ultimate_parent is None


def merge(survivor, merged, actor=None):
    return party_merge(actor=actor or make_user("licensing_officer"), party_id=merged.pk, into_id=survivor.pk)


def test_merge_moves_every_filing_lock_and_subsidiary_to_the_survivor_and_is_audited():
    officer = make_user("licensing_officer")
    f.notify(consignee="Small Compute", destination="IN", quantity=10)
    f.draft(consignee="Small Compute", destination="IN")
    duplicate = Party.objects.get(normalised_name="smallcompute")
    duplicate.normalised_name = "smallcomputeindia"  # a duplicate the matching could not catch
    duplicate.save()
    survivor, _ = create(name="Small Compute", country="IN")
    child, _ = create(name="Small Compute Labs", country="IN", ultimate_parent=duplicate.pk)

    result = merge(survivor, duplicate, officer)

    assert result.pk == survivor.pk
    assert ApplicationParty.objects.filter(party=survivor).count() == 2  # consignee and end user
    assert LppNotification.objects.get().consignee_party == survivor
    assert LppConsigneeYear.objects.get().party == survivor
    child.refresh_from_db()
    duplicate.refresh_from_db()
    assert child.ultimate_parent == survivor
    assert duplicate.merged_into == survivor and Party.objects.filter(pk=duplicate.pk).exists()  # a tombstone
    event = AuditEvent.objects.get(verb="party.merged", target_id=str(survivor.pk))
    assert event.actor == officer
    assert event.payload["merged"]["id"] == duplicate.pk
    assert event.payload["moved"] == {"subsidiaries": 1, "application_parties": 2, "lpp_notifications": 1}


@pytest.mark.parametrize("case", ["itself", "descendant", "other-country", "tombstone"])
def test_merges_that_would_lose_identity_or_loop_are_refused_and_nothing_moves(case):
    officer = make_user("licensing_officer")
    party, _ = create(name="Gulf Compute", country="AE")
    other = {
        "itself": lambda: party,
        "descendant": lambda: create(name="Gulf Compute Labs", country="AE", ultimate_parent=party.pk)[0],
        "other-country": lambda: create(name="Gulf Compute", country="QA")[0],
        "tombstone": lambda: Party.objects.create(
            name="Old",
            normalised_name="old",
            country_id="AE",
            hq_country_id="AE",
            created_at=party.created_at,
            merged_into=party,
        ),
    }[case]()
    before = counts()
    with pytest.raises(ValidationError):
        merge(other, party, officer)
    assert counts() == before
    party.refresh_from_db()
    assert party.merged_into is None


def test_only_staff_merge():
    a, _ = create(name="A Compute", country="AE")
    b, _ = create(name="B Compute", country="AE")
    with pytest.raises(PermissionDenied):
        merge(a, b, make_user("exporter"))
