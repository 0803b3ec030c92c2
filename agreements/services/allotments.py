"""Allotments and their ledger: syncing allotments from terms and the policy, and the only two ways quota moves."""

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, F, Sum, When
from django.utils import timezone

from agreements.choices import AllotmentSource, LedgerKind
from agreements.deal_selectors import party_committed, survivors_of
from agreements.errors import AllotmentExhausted, PartyCapExhausted
from agreements.models import (
    Agreement,
    Allotment,
    AllotmentPartyCap,
    LedgerEntry,
    LedgerEntryParty,
    Party,
    Policy,
    TermsPartyCap,
    TermsPeriod,
    TermsVersion,
)
from agreements.selectors import (
    agreements_in_force,
    effective_capacity,
    remaining_of,
    remaining_tpp,
    terms_in_force,
    tier2_allocation_countries,
)
from agreements.services._permit import NEGOTIATE, SWITCH_POLICY, authorize
from agreements.units import h100e
from portal.permissions import Actor
from portal.services import audit_record


def sync_agreement_allotments(agreement: Agreement, terms: TermsVersion, *, actor: Actor | None) -> list[Allotment]:
    """Create or update the agreement's allotments from a terms version; periods no longer in it drop to 0.
    Existing draws stay: a capacity below what is committed shows 0 remaining and refuses new draws.
    A step of the agreement services (inside their transaction, after their permission check)."""
    synced = []
    seen = set()
    for period in terms.periods.all():
        allotment, created = Allotment.objects.select_for_update().get_or_create(
            agreement=agreement,
            source=AllotmentSource.AGREEMENT,
            period_start=period.period_start,
            defaults={
                "country": agreement.country,
                "period_end": period.period_end,
                "capacity_tpp": period.capacity_tpp,
                "terms": terms,
            },
        )
        before = None if created else allotment.capacity_tpp
        if not created:
            allotment.period_end, allotment.capacity_tpp, allotment.terms = (
                period.period_end,
                period.capacity_tpp,
                terms,
            )
            allotment.save(update_fields=["period_end", "capacity_tpp", "terms", "updated_at"])
        caps_before, caps_after = _sync_caps(allotment, period)
        if created or before != allotment.capacity_tpp or caps_before != caps_after:
            audit_record(
                actor=actor,
                verb="allotment.created" if created else "allotment.updated",
                target=allotment,
                payload={
                    "capacity_tpp": allotment.capacity_tpp,
                    "before": before,
                    "terms_version": terms.version,
                    "party_caps": caps_after,
                    "party_caps_before": caps_before,
                },
            )
        seen.add(allotment.pk)
        synced.append(allotment)
    for dropped in Allotment.objects.select_for_update().filter(agreement=agreement).exclude(pk__in=seen):
        if dropped.capacity_tpp:
            audit_record(
                actor=actor,
                verb="allotment.updated",
                target=dropped,
                payload={"capacity_tpp": 0, "before": dropped.capacity_tpp, "terms_version": terms.version},
            )
            dropped.capacity_tpp = 0
        dropped.terms = terms  # the version that left it out: it too is now in step
        dropped.save(update_fields=["capacity_tpp", "terms", "updated_at"])
        dropped.party_caps.all().delete()  # capacity 0: no party may draw more on it
    return synced


def _caps_text(caps: Iterable[AllotmentPartyCap | TermsPartyCap]) -> dict[str, int]:
    return {f"{cap.party.name} ({cap.party.country_id})": cap.capacity_tpp for cap in caps}


def _sync_caps(allotment: Allotment, period: TermsPeriod) -> tuple[dict[str, int], dict[str, int]]:
    """The allotment's party caps become the period's (names → TPP, before and after, for the audit trail)."""
    existing = list(allotment.party_caps.select_related("party"))
    wanted = list(period.party_caps.select_related("party"))
    before, after = _caps_text(existing), _caps_text(wanted)
    if before != after:
        allotment.party_caps.all().delete()
        # The re-created caps start from what the parties' draws hold (the allotment row is locked by the sync).
        committed = party_committed([allotment.pk]) if wanted else {}
        AllotmentPartyCap.objects.bulk_create(
            [
                AllotmentPartyCap(
                    allotment=allotment,
                    party=cap.party,
                    capacity_tpp=cap.capacity_tpp,
                    committed_tpp=committed.get((allotment.pk, cap.party_id), 0),
                )
                for cap in wanted
            ]
        )
    return before, after


def party_caps_recount(party_ids: Iterable[int]) -> int:
    """Set the caps of these parties (on every allotment) to what the ledger says their draws hold — after a party
    merge, when the survivor's caps take the duplicate's draws and the duplicate's caps lose them. Locks the
    allotments concerned first, as a draw does, so no draw moves a cap while it is counted. The caps recounted."""
    ids = list(party_ids)
    allotment_ids = sorted(
        set(AllotmentPartyCap.objects.filter(party_id__in=ids).values_list("allotment_id", flat=True))
    )
    if not allotment_ids:
        return 0
    list(Allotment.objects.select_for_update().filter(pk__in=allotment_ids).order_by("pk").values_list("pk"))
    caps = list(AllotmentPartyCap.objects.filter(party_id__in=ids, allotment_id__in=allotment_ids))
    committed = party_committed(allotment_ids)
    for cap in caps:
        cap.committed_tpp = committed.get((cap.allotment_id, cap.party_id), 0)
    AllotmentPartyCap.objects.bulk_update(caps, ["committed_tpp"])
    return len(caps)


def agreement_allotments_apply_due(*, actor: Actor | None) -> int:
    """Apply amendments that have come into effect to the allotments of agreements in force (idempotent)."""
    authorize(actor, NEGOTIATE, action="apply amendments to allotments")
    applied = 0
    for agreement in agreements_in_force(timezone.now()):
        with transaction.atomic():
            terms = terms_in_force(agreement, timezone.localdate())
            current = set(Allotment.objects.filter(agreement=agreement).values_list("terms_id", flat=True).distinct())
            if current - {terms.pk} or (not current and terms.periods.all()):
                sync_agreement_allotments(agreement, terms, actor=actor)
                applied += 1
    return applied


def tier_allocations_sync(*, actor: Actor | None, policy: Policy) -> int:
    """Make sure every Tier 2 country has an allocation for the policy's period (new periods only)."""
    authorize(actor, SWITCH_POLICY, action="open a Tier 2 allocation period")
    codes = tier2_allocation_countries(policy.tier2_period_end)
    existing = set(
        Allotment.objects.filter(
            source=AllotmentSource.TIER_ALLOCATION, period_start=policy.tier2_period_start
        ).values_list("country_id", flat=True)
    )
    created = Allotment.objects.bulk_create(
        [
            Allotment(
                country_id=code,
                source=AllotmentSource.TIER_ALLOCATION,
                period_start=policy.tier2_period_start,
                period_end=policy.tier2_period_end,
                capacity_tpp=policy.tier2_allocation_tpp,
            )
            for code in sorted(codes - existing)
        ]
    )
    return len(created)


# The quota ledger: the only two ways quota moves. Licensing calls these from inside its own transitions
# (approval draws, revocation and expiry release), which have checked their actor against licensing's table;
# the actor given here is recorded on the ledger row.


def allotment_reserve(
    *,
    actor: Actor | None,
    allotment_id: int,
    tpp: int,
    consignee: str,
    reference: str,
    at: datetime.datetime | None = None,
    party_id: int | None = None,
    end_user_ids: Sequence[int] = (),
    savepoint: bool = True,
    allotment: Allotment | None = None,
    capacity: int | None = None,
) -> LedgerEntry:
    """Draw `tpp` from an allotment; refuses (AllotmentExhausted) beyond what remains, and (PartyCapExhausted)
    beyond what remains of the cap of any party the draw is for — the ultimate consignee `party_id` or an end
    user — checked under the allotment's row lock, so concurrent draws never overdraw an allotment or a cap.

    The row is locked as late and as briefly as possible: everything the draw needs (the effective capacity, the
    parties' survivors) is read first; then one conditional
    `UPDATE … SET committed_tpp = committed_tpp + tpp WHERE … AND committed_tpp + tpp <= capacity` takes the lock
    and draws at once, one `UPDATE` of the parties' caps (`committed_tpp` kept on each cap) draws on them and
    refuses if any is now beyond its capacity, and only inserts follow.
    If the allotment's update matches no row — exhausted, or the allotment's capacity or terms changed since they
    were read — the draw is decided again the slow way, under `SELECT … FOR UPDATE`, with the same refusals.
    A refusal writes nothing: it rolls back to a savepoint, or (`savepoint=False`, for a caller whose whole
    transaction fails with the refusal, like the approval) the caller's transaction, sparing a round trip.
    `allotment`: the allotment as the caller read it already (the conditional UPDATE re-checks its capacity and
    terms, so an allotment changed since falls back to the locked path); `capacity`: its effective capacity at
    `at` as the caller worked it out already (a determination's facts)."""
    if tpp <= 0:
        raise ValidationError({"tpp": "A reservation is a positive whole number of TPP."})
    at = at or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        if allotment is None or allotment.pk != allotment_id:
            allotment = Allotment.objects.get(pk=allotment_id)
        if capacity is None:
            capacity = effective_capacity(allotment, at)
        parties = list(dict.fromkeys(survivors_of([p for p in (party_id, *end_user_ids) if p is not None]).values()))
        entry = LedgerEntry(
            allotment_id=allotment_id,
            kind=LedgerKind.RESERVE,
            tpp=tpp,
            consignee=consignee,
            party_id=parties[0] if party_id is not None else None,
            reference=reference,
            actor=actor,
        )
        drawn = _conditional_draw(allotment, tpp, capacity)  # from here the allotment row is locked
        if drawn is None:
            allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
            _refuse_beyond_remaining(allotment, tpp, remaining_tpp(allotment, at))
            allotment.committed_tpp += tpp
            allotment.save(update_fields=["committed_tpp", "updated_at"])
        _draw_on_caps(allotment, parties, tpp)
        entry.created_at = timezone.now()
        entry.save(force_insert=True)
        if parties:
            LedgerEntryParty.objects.bulk_create([LedgerEntryParty(entry=entry, party_id=pk) for pk in parties])
        return entry


_DRAW = (
    "UPDATE agreements_allotment SET committed_tpp = committed_tpp + %s, updated_at = %s "
    "WHERE id = %s AND capacity_tpp = %s AND {terms} AND committed_tpp + %s <= %s RETURNING committed_tpp"
)


def _conditional_draw(allotment: Allotment, tpp: int, capacity: int) -> int | None:
    """Draw in one statement if the allotment is as read (same capacity and terms) and `tpp` fits: the new
    committed TPP, or None (nothing changed)."""
    terms = "terms_id IS NULL" if allotment.terms_id is None else "terms_id = %s"
    params = [tpp, connection.ops.adapt_datetimefield_value(timezone.now()), allotment.pk, allotment.capacity_tpp]
    params += [] if allotment.terms_id is None else [allotment.terms_id]
    with connection.cursor() as cursor:
        cursor.execute(_DRAW.format(terms=terms), [*params, tpp, capacity])
        row = cursor.fetchone()
    return None if row is None else row[0]


_CAP_DRAW = (
    "UPDATE agreements_allotmentpartycap SET committed_tpp = committed_tpp + %s "
    "WHERE allotment_id = %s AND party_id IN ({parties}) RETURNING party_id, committed_tpp, capacity_tpp"
)


def _draw_on_caps(allotment: Allotment, party_ids: list[int], tpp: int) -> None:
    """Draw `tpp` on the cap of each of the (live) parties that has one on the allotment, in one statement under
    the allotment's row lock (which every change of a cap's committed TPP holds); refuse (PartyCapExhausted, the
    caller rolls back) if any cap is then beyond its capacity — the first by party name, with what remained of it."""
    if not party_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_CAP_DRAW.format(parties=", ".join(["%s"] * len(party_ids))), [tpp, allotment.pk, *party_ids])
        over = {
            party: (committed - tpp, capacity)
            for party, committed, capacity in cursor.fetchall()
            if committed > capacity
        }
    if not over:
        return
    party = Party.objects.filter(pk__in=over).order_by("name", "pk").first()
    assert party is not None  # the caps' parties are protected from deletion
    committed, capacity = over[party.pk]
    remaining = remaining_of(capacity, committed)
    raise PartyCapExhausted(
        f"{party.name} is capped at {h100e(capacity):,} H100e of the {allotment.country_id} "
        f"allotment {allotment.period_start}..{allotment.period_end} and holds "
        f"{h100e(committed):,} H100e: {h100e(remaining):,} H100e "
        f"({remaining:,} TPP) remaining for it; {h100e(tpp):,} H100e requested.",
        remaining_tpp=remaining,
    )


def _refuse_beyond_remaining(allotment: Allotment, tpp: int, remaining: int) -> None:
    if tpp > remaining:
        raise AllotmentExhausted(
            f"{allotment.country_id} allotment {allotment.period_start}..{allotment.period_end} has "
            f"{h100e(remaining):,} H100e ({remaining:,} TPP) remaining; {h100e(tpp):,} H100e requested.",
            remaining_tpp=remaining,
        )


def allotment_release(
    *, actor: Actor | None, allotment_id: int, tpp: int, consignee: str, reference: str
) -> LedgerEntry:
    """Give back the unshipped part of a reservation (expired or revoked licence)."""
    if tpp <= 0:
        raise ValidationError({"tpp": "A release is a positive whole number of TPP."})
    with transaction.atomic():
        allotment = Allotment.objects.select_for_update().get(pk=allotment_id)
        reserved = (
            LedgerEntry.objects.filter(allotment=allotment, reference=reference).aggregate(
                net=Sum(Case(When(kind=LedgerKind.RESERVE, then="tpp"), default=-models.F("tpp")))
            )["net"]
            or 0
        )
        if tpp > reserved:
            raise ValidationError({"tpp": f"{reference} holds {reserved:,} TPP; cannot release {tpp:,}."})
        allotment.committed_tpp -= tpp
        allotment.save(update_fields=["committed_tpp", "updated_at"])
        drawn = LedgerEntry.objects.filter(allotment=allotment, reference=reference, kind=LedgerKind.RESERVE)
        entry = LedgerEntry.objects.create(
            allotment=allotment,
            kind=LedgerKind.RELEASE,
            tpp=tpp,
            consignee=consignee,
            party_id=drawn.exclude(party=None).values_list("party_id", flat=True).first(),
            reference=reference,
            actor=actor,
            created_at=timezone.now(),
        )
        # The release gives back to the parties the draw was for: their caps get the room again.
        parties = set(LedgerEntryParty.objects.filter(entry__in=drawn).values_list("party_id", flat=True))
        LedgerEntryParty.objects.bulk_create([LedgerEntryParty(entry=entry, party_id=pk) for pk in sorted(parties)])
        _release_on_caps(allotment, parties, tpp)
        return entry


def _release_on_caps(allotment: Allotment, party_ids: Iterable[int], tpp: int) -> None:
    """Give `tpp` back to the caps of the release's parties, as the ledger counts it (each party row → its live
    survivor's cap), under the allotment's row lock the release holds."""
    times = Counter(survivors_of(party_ids).values())  # several rows on one survivor: once each, as counted
    by_times: dict[int, list[int]] = {}
    for party, n in times.items():
        by_times.setdefault(n, []).append(party)
    for n, parties in sorted(by_times.items()):
        AllotmentPartyCap.objects.filter(allotment=allotment, party_id__in=parties).update(
            committed_tpp=F("committed_tpp") - tpp * n
        )
