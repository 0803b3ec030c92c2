"""Writes of the party register (SPEC § 2 "Party"): create (or match), resolve a filing's party, change, merge.

Matching is by (normalised name, location country) among live parties; a unique constraint on exactly that
makes two concurrent creations of one party end with one row (the loser of the race gets the winner's)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agreements import selectors
from agreements.models import Party
from agreements.party_matching import PartyRef, normalise_name
from agreements.selectors import ResolvedParty
from agreements.services.allotments import party_caps_recount
from portal.permissions import Actor, require
from portal.selectors import user_organisation_id
from portal.services import audit_record


def _match_or_create(*, actor: Actor | None, ref: PartyRef, via: str, visible: QuerySet[Party]) -> tuple[Party, bool]:
    parent = (
        selectors.party_in_scope(visible, ref.ultimate_parent, field="ultimate_parent") if ref.ultimate_parent else None
    )
    party, created = Party.objects.get_or_create(
        normalised_name=normalise_name(ref.name),
        country_id=ref.country,
        merged_into=None,
        defaults={
            "name": ref.name,
            "aliases": list(ref.aliases),
            "address": ref.address,
            "hq_country_id": ref.headquarters,
            "ultimate_parent": parent,
            "registration_number": ref.registration_number,
            "created_by": actor if actor is not None and actor.is_authenticated else None,
            "created_by_organisation_id": user_organisation_id(actor) if actor is not None else None,
            "created_at": timezone.now(),
        },
    )
    if created:
        audit_record(actor=actor, verb="party.created", target=party, payload={**_summary(party), "via": via})
    return party, created


def party_file(
    *, actor: Actor | None, ref: PartyRef, default_country: str, via: str, visible: QuerySet[Party]
) -> ResolvedParty:
    """A filing's party (application, notification): an id among the `visible` parties (the filer's scope, which
    the holder of the filings gives: licensing.selectors.parties_visible_to), or details matched or entered in the
    register. Runs inside the caller's transaction; the caller has checked the actor may file."""
    ref = ref.located(default_country)
    if ref.id is not None:
        return ResolvedParty(selectors.party_in_scope(visible, ref.id), ref)
    selectors.party_details_check(ref)
    party, _ = _match_or_create(actor=actor, ref=ref, via=via, visible=visible)
    return ResolvedParty(party, ref)


def party_create(*, actor: Actor, ref: PartyRef, visible: QuerySet[Party] | None = None) -> tuple[Party, bool]:
    """POST /api/v1/parties/: the existing live party of that name and country, or a new one (created=True).

    An ultimate parent must be among the `visible` parties; by default the register's own scope for the actor
    (without filings: the API passes licensing.selectors.parties_visible_to, which adds them)."""
    require(actor, "agreements.add_party", action="add parties to the register")
    if ref.id is not None:
        raise ValidationError({"name": "Give the party's details, not an id."})
    selectors.party_details_check(ref)
    scope = selectors.parties_visible_to(actor) if visible is None else visible
    with transaction.atomic():
        return _match_or_create(actor=actor, ref=ref, via="register", visible=scope)


def _refuse_cycle(party: Party, parent: Party | None) -> None:
    if parent is None:
        return
    if parent.pk == party.pk or party.pk in selectors.party_ancestors(parent.pk):
        raise ValidationError(
            {"ultimate_parent": f"{parent} is owned by {party} already: an ownership chain cannot loop back."}
        )


_CHANGEABLE = ("name", "address", "hq_country", "ultimate_parent", "registration_number", "aliases")


def party_update(*, actor: Actor, party_id: int, **changes: Any) -> Party:
    """Staff correct a register entry; a parent that would make the ownership chain loop is refused."""
    require(actor, "agreements.change_party", action="change the register")
    unknown = set(changes) - set(_CHANGEABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party_id, merged_into__isnull=True)
        before = _summary(party)
        if "ultimate_parent" in changes:
            parent = changes["ultimate_parent"]
            parent = Party.objects.filter(pk=getattr(parent, "pk", parent)).first() if parent is not None else None
            if changes["ultimate_parent"] is not None and (parent is None or parent.merged_into_id is not None):
                raise ValidationError({"ultimate_parent": "Name a live party of the register as the parent."})
            _refuse_cycle(party, parent)
            party.ultimate_parent = parent
        for name in ("name", "address", "hq_country", "registration_number", "aliases"):
            if name in changes:
                setattr(party, name, changes[name])
        party.normalised_name = normalise_name(party.name)
        party.full_clean(exclude=["created_by", "created_by_organisation", "merged_into", "ultimate_parent"])
        clash = Party.objects.filter(
            normalised_name=party.normalised_name, country_id=party.country_id, merged_into__isnull=True
        ).exclude(pk=party.pk)
        if clash.exists():
            raise ValidationError({"name": f"{clash.first()} has this name already: merge the two instead."})
        party.save()
        audit_record(actor=actor, verb="party.changed", target=party, payload={"before": before, **_summary(party)})
    return party


def _summary(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "country": party.country_id,
        "hq_country": party.hq_country_id,
        "ultimate_parent": party.ultimate_parent_id,
    }


def party_merge_locked(*, party_id: int, into_id: int) -> tuple[Party, Party]:
    """Lock the duplicate and its survivor in the one fixed order (by id) and check the merge may happen;
    inside the caller's transaction. (merged, survivor)."""
    if party_id == into_id:
        raise ValidationError({"into": "A party cannot be merged into itself."})
    locked = {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=[party_id, into_id]).order_by("pk")}
    if party_id not in locked:
        raise Party.DoesNotExist
    merged, survivor = locked[party_id], locked.get(into_id)
    _check_merge(merged, survivor, into_id)
    assert survivor is not None  # _check_merge refused otherwise
    return merged, survivor


def party_merge(*, actor: Actor, party_id: int, into_id: int, moved: Mapping[str, int] | None = None) -> Party:
    """The register's part of merging a duplicate into its survivor: subsidiaries move, the survivor takes the
    names (and a parent it lacked), the duplicate stays as a tombstone pointing at it. Refused into itself, into a
    tombstone, into one of its own subsidiaries (the chain would loop), and across location countries (a party's
    identity includes where it is). `moved`: what the caller moved in the same transaction (the filings, which
    licensing.services.parties.party_merge moves), for the audit event."""
    require(actor, "agreements.merge_party", action="merge parties")
    if party_id == into_id:
        raise ValidationError({"into": "A party cannot be merged into itself."})
    with transaction.atomic():
        merged, survivor = party_merge_locked(party_id=party_id, into_id=into_id)
        subsidiaries = Party.objects.filter(ultimate_parent=merged).update(ultimate_parent=survivor)
        adopt = survivor.ultimate_parent_id is None and merged.ultimate_parent_id not in (None, survivor.pk)
        if adopt and survivor.pk not in selectors.party_ancestors(merged.ultimate_parent_id):
            survivor.ultimate_parent_id = merged.ultimate_parent_id  # the survivor takes a parent it lacked
        names = [merged.name, *merged.aliases]
        survivor.aliases = [*survivor.aliases, *(n for n in names if n != survivor.name and n not in survivor.aliases)]
        survivor.save()
        merged.merged_into, merged.merged_at, merged.ultimate_parent = survivor, timezone.now(), None
        merged.save()
        # The survivor's caps now count the duplicate's draws, and the duplicate's caps no longer do.
        party_caps_recount([merged.pk, survivor.pk])
        payload = {
            "merged": {"id": merged.pk, **_summary(merged)},
            "into": survivor.pk,
            "moved": {"subsidiaries": subsidiaries, **(moved or {})},
        }
        audit_record(actor=actor, verb="party.merged", target=survivor, payload=payload)
        audit_record(actor=actor, verb="party.merged_away", target=merged, payload={"into": survivor.pk})
    return survivor


def _check_merge(merged: Party, survivor: Party | None, into_id: int) -> None:
    if survivor is None:
        raise ValidationError({"into": f"Unknown party {into_id}."})
    if merged.merged_into_id is not None:
        raise ValidationError({"detail": f"{merged} was merged already."})
    if survivor.merged_into_id is not None:
        raise ValidationError({"into": f"{survivor} was merged into another party: merge into that one."})
    if survivor.country_id != merged.country_id:
        raise ValidationError(
            {
                "into": f"{merged} is located in {merged.country_id}, {survivor} in {survivor.country_id}: "
                "parties in different countries are different entities."
            }
        )
    if merged.pk in selectors.party_ancestors(survivor.pk):
        raise ValidationError({"into": f"{survivor} is owned by {merged}: merge the other way round."})
