"""The agreement lifecycle (SPEC § 4): the transition table, its services, status history, terms and amendments.

The table tests need no database. Every service test that touches it asks for the `negotiator` fixture (or `db`).
"""

import datetime
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.choices import AllotmentSource
from agreements.errors import TermsLocked
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Allotment,
    Country,
    Policy,
    TermsPeriod,
    TermsVersion,
    TierMembership,
)
from agreements.selectors import agreement_in_force, agreement_status_at, agreements_in_force, current_terms
from agreements.units import H100_TPP
from agreements.workflow import AGREEMENT
from portal.errors import InvalidTransition
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement, make_negotiator, period, this_year
from tests.factories import make_user

# The lifecycle as SPEC § 4 states it, written out independently of agreements/workflow.py.
LIFECYCLE = {
    "start_negotiation": ({S.DRAFT}, S.NEGOTIATING, False),
    "sign": ({S.NEGOTIATING}, S.SIGNED, False),
    "enter_into_force": ({S.SIGNED}, S.IN_FORCE, False),
    "suspend": ({S.IN_FORCE}, S.SUSPENDED, True),
    "resume": ({S.SUSPENDED}, S.IN_FORCE, True),
    "terminate": ({S.IN_FORCE, S.SUSPENDED}, S.TERMINATED, True),
    "expire": ({S.SIGNED, S.IN_FORCE, S.SUSPENDED}, S.EXPIRED, False),
}
ALLOWED = [(name, status) for name, (sources, _, _) in LIFECYCLE.items() for status in S.values if status in sources]
REFUSED = [
    (name, status) for name, (sources, _, _) in LIFECYCLE.items() for status in S.values if status not in sources
]
H100 = H100_TPP


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@contextmanager
def at(instant: datetime.datetime):
    """Run services as if it were `instant` (status history, effective dates and `today` all follow)."""
    with patch("django.utils.timezone.now", return_value=instant):
        yield


class _Holder:
    """A user stand-in for the database-free table tests: the permissions its roles hold, as
    portal.permissions.allowed reads them (its per-request cache of the user's role permissions)."""

    is_authenticated = True
    is_active = True

    def __init__(self, *perms: str) -> None:
        self._portal_permissions = frozenset(perms)


NEGOTIATE = "agreements.negotiate_agreement"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are made with a password; hashing it a million times per test buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def negotiator(db):
    return make_negotiator()


def written(agreement: Agreement) -> tuple[int, int, int, int]:
    """What a refused call must leave untouched."""
    return (
        AgreementStatusChange.objects.filter(agreement=agreement).count(),
        TermsVersion.objects.filter(agreement=agreement).count(),
        AuditEvent.objects.count(),
        Allotment.objects.filter(agreement=agreement).count(),
    )


# The transition table, without a database


def test_the_table_is_exactly_the_lifecycle_of_the_spec():
    assert {t.name for t in AGREEMENT.transitions} == set(LIFECYCLE)
    for name, (sources, target, reason_required) in LIFECYCLE.items():
        transition = AGREEMENT.get(name)
        assert (transition.sources, transition.target, transition.reason_required) == (
            sources,
            target,
            reason_required,
        ), name
        assert transition.permission == NEGOTIATE


@pytest.mark.parametrize(("name", "status"), ALLOWED, ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_the_table_allows_each_listed_source(name, status):
    assert AGREEMENT.check(name, status, _Holder(NEGOTIATE), reason="Because").target == LIFECYCLE[name][1]


@pytest.mark.parametrize(("name", "status"), REFUSED, ids=[f"{n}-from-{s}" for n, s in REFUSED])
def test_the_table_refuses_every_other_source(name, status):
    with pytest.raises(InvalidTransition, match=f"is {status}"):
        AGREEMENT.check(name, status, _Holder(NEGOTIATE), reason="Because")


@pytest.mark.parametrize("name", [n for n, (_, _, needs) in LIFECYCLE.items() if needs])
@pytest.mark.parametrize("reason", ["", "   "])
def test_the_table_requires_a_reason_to_suspend_resume_and_terminate(name, reason):
    source = next(iter(LIFECYCLE[name][0]))
    with pytest.raises(ValidationError) as refused:
        AGREEMENT.check(name, source, _Holder(NEGOTIATE), reason=reason)
    assert "reason" in refused.value.message_dict


@pytest.mark.parametrize("name", list(LIFECYCLE))
def test_the_table_refuses_anyone_without_the_negotiate_permission(name):
    source = next(iter(LIFECYCLE[name][0]))
    with pytest.raises(PermissionDenied):
        AGREEMENT.check(name, source, _Holder("agreements.view_agreement"), reason="Because")


@pytest.mark.parametrize("status", [S.TERMINATED, S.EXPIRED])
def test_terminated_and_expired_are_final(status):
    assert AGREEMENT.available(status) == []


# The transition services


@pytest.mark.parametrize(("name", "status"), REFUSED, ids=[f"{n}-from-{s}" for n, s in REFUSED])
def test_every_transition_from_a_wrong_state_is_refused_and_writes_nothing(negotiator, name, status):
    agreement = make_agreement(status)
    before = written(agreement)
    with pytest.raises(InvalidTransition):
        getattr(services, f"agreement_{name}")(actor=negotiator, agreement=agreement, reason="Because")
    agreement.refresh_from_db()
    assert agreement.status == status
    assert written(agreement) == before


@pytest.mark.parametrize(("name", "status"), ALLOWED, ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_every_allowed_transition_moves_records_history_and_audits(negotiator, name, status):
    agreement = make_agreement(status)
    target = LIFECYCLE[name][1]
    getattr(services, f"agreement_{name}")(actor=negotiator, agreement=agreement, reason="Minister's decision")
    agreement.refresh_from_db()
    assert agreement.status == target
    change = agreement.status_changes.order_by("-id").first()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        status,
        target,
        negotiator,
        "Minister's decision",
    )
    assert change.at == change.recorded_at  # no effective_at given: it took effect when recorded
    event = AuditEvent.objects.filter(target_type="agreements.agreement", target_id=str(agreement.pk)).latest("id")
    assert (event.verb, event.actor) == (f"agreement.{target}", negotiator)
    assert event.payload == {
        "from": status,
        "to": target,
        "reason": "Minister's decision",
        "effective_at": change.at.isoformat(),
        "recorded_at": change.recorded_at.isoformat(),
    }


@pytest.mark.parametrize("name", ["suspend", "resume", "terminate"])
def test_a_transition_that_needs_a_reason_is_refused_without_one_and_writes_nothing(negotiator, name):
    agreement = make_agreement(S.SUSPENDED if name == "resume" else S.IN_FORCE)
    before = written(agreement)
    with pytest.raises(ValidationError):
        getattr(services, f"agreement_{name}")(actor=negotiator, agreement=agreement, reason=" ")
    assert Agreement.objects.get(pk=agreement.pk).status == agreement.status
    assert written(agreement) == before


@pytest.mark.parametrize("role", ["licensing_officer", "approving_official", "policy_admin", "exporter"])
def test_only_negotiators_move_an_agreement(db, role):
    outsider = make_user(role)
    agreement = make_agreement(S.NEGOTIATING)
    before = written(agreement)
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=outsider, agreement=agreement)
    assert Agreement.objects.get(pk=agreement.pk).status == S.NEGOTIATING
    assert written(agreement) == before


@pytest.mark.parametrize(("name", "status"), ALLOWED, ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_a_superuser_without_a_role_moves_no_agreement_and_writes_nothing(db, name, status):
    """Superusers hold no role and get no bypass (portal.permissions): the table refuses them like anyone."""
    root = get_user_model().objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    agreement = make_agreement(status)
    before = written(agreement)
    with pytest.raises(PermissionDenied):
        getattr(services, f"agreement_{name}")(actor=root, agreement=agreement, reason="Because")
    assert Agreement.objects.get(pk=agreement.pk).status == status
    assert written(agreement) == before


def test_the_status_history_lists_every_step_with_who_and_why(negotiator):
    agreement = make_agreement(S.SUSPENDED, actor=negotiator)
    history = list(agreement.status_changes.order_by("at", "id").values_list("from_status", "to_status", "reason"))
    assert history == [
        ("", S.DRAFT, "Created"),
        (S.DRAFT, S.NEGOTIATING, ""),
        (S.NEGOTIATING, S.SIGNED, ""),
        (S.SIGNED, S.IN_FORCE, ""),
        (S.IN_FORCE, S.SUSPENDED, "Reporting obligations missed"),
    ]
    assert set(agreement.status_changes.values_list("actor", flat=True)) == {negotiator.pk}


def test_signing_records_the_signature_date(negotiator):
    agreement = make_agreement(S.NEGOTIATING)
    services.agreement_sign(actor=negotiator, agreement=agreement, signed_on=datetime.date(2026, 3, 4))
    agreement.refresh_from_db()
    assert agreement.signed_on == datetime.date(2026, 3, 4)


def test_in_force_is_answered_for_past_instants(negotiator):
    with at(utc(2026, 2, 1, 9)):
        agreement = make_agreement(
            S.NEGOTIATING, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2027, 12, 31)
        )
    with at(utc(2026, 3, 1, 9)):
        services.agreement_sign(actor=negotiator, agreement=agreement)
        services.agreement_enter_into_force(actor=negotiator, agreement=agreement)
    with at(utc(2026, 4, 1, 9)):
        services.agreement_suspend(actor=negotiator, agreement=agreement, reason="Diversion under investigation")
    with at(utc(2026, 5, 1, 9)):
        services.agreement_resume(actor=negotiator, agreement=agreement, reason="Investigation closed")

    expected = {
        utc(2026, 2, 15): (S.NEGOTIATING, False),
        utc(2026, 3, 15): (S.IN_FORCE, True),
        utc(2026, 4, 1, 8, 59): (S.IN_FORCE, True),
        utc(2026, 4, 15): (S.SUSPENDED, False),
        utc(2026, 5, 15): (S.IN_FORCE, True),
    }
    for instant, (status, in_force) in expected.items():
        assert agreement_status_at(agreement, instant) == status, instant
        assert (agreement_in_force("IN", instant) == agreement) is in_force, instant
    assert agreement_status_at(agreement, utc(2026, 1, 15)) is None  # did not exist yet


def test_an_agreement_is_not_in_force_outside_its_validity(negotiator):
    with at(utc(2026, 2, 1, 9)):
        agreement = make_agreement(
            S.IN_FORCE, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 6, 30)
        )
    assert agreement in agreements_in_force(utc(2026, 6, 30, 23, 59))
    assert agreement not in agreements_in_force(utc(2026, 7, 1, 0, 1))  # status still in_force
    assert agreement_status_at(agreement, utc(2026, 7, 1, 0, 1)) == S.IN_FORCE


def test_an_agreement_is_still_in_force_on_its_last_valid_day_and_expires_the_day_after(negotiator):
    with at(utc(2026, 2, 1, 9)):
        agreement = make_agreement(
            S.IN_FORCE, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2026, 6, 30)
        )
    with at(utc(2026, 6, 30, 12)):
        assert services.agreements_expire_due(actor=services.SYSTEM) == []
        assert agreement_in_force("IN", timezone.now()) == agreement
    agreement.refresh_from_db()
    assert agreement.status == S.IN_FORCE
    with at(utc(2026, 7, 1, 12)):
        assert services.agreements_expire_due(actor=services.SYSTEM) == [agreement.reference]
    agreement.refresh_from_db()
    assert agreement.status == S.EXPIRED
    assert AuditEvent.objects.filter(verb="agreement.expired", target_id=str(agreement.pk)).count() == 1


def test_an_agreement_in_force_before_its_validity_starts_is_not_yet_in_force(negotiator):
    with at(utc(2026, 2, 1, 9)):
        agreement = make_agreement(S.IN_FORCE, valid_from=datetime.date(2026, 3, 1))
    assert agreement not in agreements_in_force(utc(2026, 2, 28, 12))
    assert agreement in agreements_in_force(utc(2026, 3, 1, 0, 0))


# Creating agreements and editing their terms


def test_a_new_agreement_is_a_draft_with_version_1_of_its_terms(negotiator):
    agreement = make_agreement(actor=negotiator)
    terms = current_terms(agreement)
    assert (agreement.status, agreement.lead_negotiator) == (S.DRAFT, negotiator)
    assert (terms.version, terms.effective_from, terms.government_assurances) == (1, agreement.valid_from, True)
    assert [p.capacity_tpp for p in terms.periods.all()] == [1_000 * H100]
    event = AuditEvent.objects.get(verb="agreement.created", target_id=str(agreement.pk))
    assert event.actor == negotiator
    assert event.payload["terms"]["allotments"][0]["capacity_tpp"] == 1_000 * H100
    assert not Allotment.objects.filter(agreement=agreement).exists()  # no quota before it is in force


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ([period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 0)], "allotments"),
        ([period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), -5)], "allotments"),
        ([period(datetime.date(2026, 12, 31), datetime.date(2026, 1, 1), 10)], "allotments"),
        (
            [
                period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), 10),
                period(datetime.date(2026, 6, 30), datetime.date(2026, 12, 31), 10),
            ],
            "allotments",
        ),
    ],
    ids=["zero-capacity", "negative-capacity", "ends-before-start", "overlapping"],
)
def test_a_bad_schedule_is_refused_and_writes_nothing(negotiator, schedule, field):
    counts = (Agreement.objects.count(), TermsVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        make_agreement(actor=negotiator, allotments=schedule)
    assert field in refused.value.message_dict
    assert (Agreement.objects.count(), TermsVersion.objects.count(), AuditEvent.objects.count()) == counts


def test_a_reference_is_unique(negotiator):
    make_agreement(reference="G2G-IN-2026")
    with pytest.raises(ValidationError) as refused:
        make_agreement(reference="G2G-IN-2026")
    assert "reference" in refused.value.message_dict
    assert Agreement.objects.filter(reference="G2G-IN-2026").count() == 1


@pytest.mark.parametrize("status", [S.DRAFT, S.NEGOTIATING])
def test_terms_change_in_place_while_negotiating(negotiator, status):
    agreement = make_agreement(status)
    start, end = this_year()
    services.agreement_update(
        actor=negotiator,
        agreement=agreement,
        title="Revised title",
        terms={"site_visits_accepted": True, "allotments": [period(start, end, 2_000 * H100)]},
    )
    agreement.refresh_from_db()
    terms = current_terms(agreement)
    assert agreement.title == "Revised title"
    assert (terms.version, terms.site_visits_accepted, terms.government_assurances) == (1, True, True)
    assert [p.capacity_tpp for p in terms.periods.all()] == [2_000 * H100]
    assert TermsVersion.objects.filter(agreement=agreement).count() == 1


def test_the_audit_trail_shows_the_schedule_before_and_after_an_edit(negotiator):
    agreement = make_agreement()
    start, end = this_year()
    services.agreement_update(
        actor=negotiator, agreement=agreement, terms={"allotments": [period(start, end, 2_000 * H100)]}
    )
    event = AuditEvent.objects.get(verb="agreement.changed", target_id=str(agreement.pk))
    assert event.actor == negotiator
    assert [p["capacity_tpp"] for p in event.payload["before"]["allotments"]] == [1_000 * H100]
    assert [p["capacity_tpp"] for p in event.payload["after"]["allotments"]] == [2_000 * H100]


def test_moving_the_start_of_validity_moves_the_start_of_the_first_terms(negotiator):
    agreement = make_agreement()
    new_start = agreement.valid_from + datetime.timedelta(days=31)
    services.agreement_update(actor=negotiator, agreement=agreement, valid_from=new_start)
    assert current_terms(agreement).effective_from == new_start


@pytest.mark.parametrize("status", [S.SIGNED, S.IN_FORCE, S.SUSPENDED, S.TERMINATED, S.EXPIRED])
def test_terms_are_locked_once_signed_and_nothing_is_written(negotiator, status):
    agreement = make_agreement(status)
    before = written(agreement)
    with pytest.raises(TermsLocked, match="amendment"):
        services.agreement_update(
            actor=negotiator, agreement=agreement, title="Changed", terms={"site_visits_accepted": True}
        )
    agreement.refresh_from_db()
    assert agreement.title != "Changed"
    assert current_terms(agreement).site_visits_accepted is False
    assert written(agreement) == before


def test_an_agreement_cannot_end_before_it_starts(negotiator):
    agreement = make_agreement()
    with pytest.raises(ValidationError):
        services.agreement_update(
            actor=negotiator, agreement=agreement, valid_until=agreement.valid_from - datetime.timedelta(days=1)
        )
    assert Agreement.objects.get(pk=agreement.pk).valid_until == agreement.valid_until


# Allotments from the terms


def test_entering_into_force_creates_the_allotments_of_the_terms(negotiator):
    start, end = this_year()
    nxt = (start.replace(year=start.year + 1), end.replace(year=end.year + 1))
    agreement = make_agreement(S.SIGNED, allotments=[period(start, end, 1_000 * H100), period(*nxt, 3_000 * H100)])
    assert not Allotment.objects.filter(agreement=agreement).exists()
    services.agreement_enter_into_force(actor=negotiator, agreement=agreement)
    rows = list(
        Allotment.objects.filter(agreement=agreement)
        .order_by("period_start")
        .values_list("country_id", "source", "period_start", "period_end", "capacity_tpp", "committed_tpp")
    )
    assert rows == [
        ("IN", AllotmentSource.AGREEMENT, start, end, 1_000 * H100, 0),
        ("IN", AllotmentSource.AGREEMENT, *nxt, 3_000 * H100, 0),
    ]
    assert AuditEvent.objects.filter(verb="allotment.created", actor=negotiator).count() == 2


def test_suspending_and_resuming_keeps_the_same_allotments(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    ids = set(Allotment.objects.filter(agreement=agreement).values_list("pk", flat=True))
    services.agreement_suspend(actor=negotiator, agreement=agreement, reason="Audit")
    services.agreement_resume(actor=negotiator, agreement=agreement, reason="Audit passed")
    assert set(Allotment.objects.filter(agreement=agreement).values_list("pk", flat=True)) == ids


# Amendments


def test_an_amendment_is_a_new_version_that_carries_over_what_it_does_not_change(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    start, end = this_year()
    today = timezone.localdate()
    amendment = services.amendment_create(
        actor=negotiator,
        agreement=agreement,
        effective_from=today,
        reason="Capacity doubled after review",
        terms={"allotments": [period(start, end, 2_000 * H100)], "site_visits_accepted": True},
    )
    assert (amendment.version, amendment.effective_from, amendment.reason) == (
        2,
        today,
        "Capacity doubled after review",
    )
    assert amendment.government_assurances is True  # carried over
    assert amendment.security_conditions == ["Compute-usage reports to BIS"]
    assert amendment.site_visits_accepted is True
    first = agreement.terms_versions.get(version=1)  # the old version stays readable, unchanged
    assert (first.site_visits_accepted, [p.capacity_tpp for p in first.periods.all()]) == (False, [1_000 * H100])
    allotment = Allotment.objects.get(agreement=agreement)
    assert (allotment.capacity_tpp, allotment.terms) == (2_000 * H100, amendment)
    event = AuditEvent.objects.get(verb="agreement.amended")
    assert (event.actor, event.payload["reason"]) == (negotiator, "Capacity doubled after review")
    assert AuditEvent.objects.filter(verb="allotment.updated", actor=negotiator).count() == 1


def test_an_amendment_without_a_schedule_keeps_the_schedule(negotiator):
    agreement = make_agreement(S.SIGNED)
    amendment = services.amendment_create(
        actor=negotiator,
        agreement=agreement,
        effective_from=agreement.valid_from,
        reason="Notes",
        terms={"notes": "Clarified"},
    )
    assert [(p.period_start, p.capacity_tpp) for p in amendment.periods.all()] == [
        (p.period_start, p.capacity_tpp) for p in agreement.terms_versions.get(version=1).periods.all()
    ]


@pytest.mark.parametrize("status", [S.DRAFT, S.NEGOTIATING, S.TERMINATED, S.EXPIRED])
def test_an_amendment_is_refused_unless_signed_in_force_or_suspended(negotiator, status):
    agreement = make_agreement(status)
    before = written(agreement)
    with pytest.raises(TermsLocked):
        services.amendment_create(
            actor=negotiator, agreement=agreement, effective_from=timezone.localdate(), reason="x", terms={}
        )
    assert written(agreement) == before


def test_an_amendment_needs_a_reason_and_a_date_not_before_the_current_version(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    before = written(agreement)
    with pytest.raises(ValidationError, match="reason"):
        services.amendment_create(
            actor=negotiator, agreement=agreement, effective_from=timezone.localdate(), reason="  ", terms={}
        )
    with pytest.raises(ValidationError, match="effective_from"):
        services.amendment_create(
            actor=negotiator,
            agreement=agreement,
            effective_from=agreement.valid_from - datetime.timedelta(days=1),
            reason="Backdated",
            terms={},
        )
    assert written(agreement) == before


def _two_year_agreement(negotiator):
    """In force since February 2026, allotments for 2026 and 2027."""
    with at(utc(2026, 2, 1, 9)):
        return make_agreement(
            S.IN_FORCE,
            actor=negotiator,
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2028, 12, 31),
            allotments=[
                period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 1_000 * H100),
                period(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31), 1_000 * H100),
            ],
        )


def _capacities(agreement):
    return list(Allotment.objects.filter(agreement=agreement).order_by("period_start").values_list("capacity_tpp"))


def test_a_future_amendment_changes_allotments_only_once_it_takes_effect(negotiator):
    agreement = _two_year_agreement(negotiator)
    with at(utc(2026, 6, 1, 9)):
        services.amendment_create(
            actor=negotiator,
            agreement=agreement,
            effective_from=datetime.date(2027, 1, 1),
            reason="2027 capacity raised",
            terms={
                "allotments": [
                    period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 1_000 * H100),
                    period(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31), 5_000 * H100),
                ]
            },
        )
    assert _capacities(agreement) == [(1_000 * H100,), (1_000 * H100,)]
    with at(utc(2026, 12, 31, 23)):
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0
    assert _capacities(agreement) == [(1_000 * H100,), (1_000 * H100,)]
    with at(utc(2027, 1, 1, 0, 5)):
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 1
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0  # idempotent
    assert _capacities(agreement) == [(1_000 * H100,), (5_000 * H100,)]
    assert set(Allotment.objects.filter(agreement=agreement).values_list("terms__version", flat=True)) == {2}


def test_applying_an_amendment_that_drops_a_period_is_idempotent(negotiator):
    agreement = _two_year_agreement(negotiator)
    with at(utc(2026, 6, 1, 9)):
        services.amendment_create(
            actor=negotiator,
            agreement=agreement,
            effective_from=datetime.date(2026, 7, 1),
            reason="2027 left to a later amendment",
            terms={"allotments": [period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 1_000 * H100)]},
        )
    with at(utc(2026, 7, 1, 9)):
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 1
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0
    assert _capacities(agreement) == [(1_000 * H100,), (0,)]  # the dropped period keeps its row, with no capacity


def test_applying_due_amendments_leaves_an_agreement_without_a_schedule_alone(negotiator):
    make_agreement(S.IN_FORCE, allotments=[])
    assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0
    assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0


def test_an_amendment_in_force_today_is_applied_at_once(negotiator):
    agreement = _two_year_agreement(negotiator)
    with at(utc(2026, 6, 1, 9)):
        services.amendment_create(
            actor=negotiator,
            agreement=agreement,
            effective_from=datetime.date(2026, 6, 1),
            reason="Cut",
            terms={"allotments": [period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 500 * H100)]},
        )
        assert _capacities(agreement) == [(500 * H100,), (0,)]
        assert services.agreement_allotments_apply_due(actor=services.SYSTEM) == 0


def test_a_suspended_agreement_takes_its_amendment_on_resuming(negotiator):
    agreement = _two_year_agreement(negotiator)
    with at(utc(2026, 6, 1, 9)):
        services.agreement_suspend(actor=negotiator, agreement=agreement, reason="Review")
        services.amendment_create(
            actor=negotiator,
            agreement=agreement,
            effective_from=datetime.date(2026, 6, 1),
            reason="Cut during review",
            terms={"allotments": [period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 500 * H100)]},
        )
        assert _capacities(agreement) == [(1_000 * H100,), (1_000 * H100,)]
        services.agreement_resume(actor=negotiator, agreement=agreement, reason="Review closed")
    assert _capacities(agreement) == [(500 * H100,), (0,)]


def test_terms_periods_of_old_versions_are_kept(negotiator):
    agreement = _two_year_agreement(negotiator)
    with at(utc(2026, 6, 1, 9)):
        services.amendment_create(
            actor=negotiator, agreement=agreement, effective_from=datetime.date(2026, 6, 1), reason="Cut", terms={}
        )
    assert TermsPeriod.objects.filter(terms__agreement=agreement).count() == 4


# Every write checks its actor: a command or endpoint calling a service cannot bypass the gate


def _db_rows() -> dict:
    return {
        "agreements": list(Agreement.objects.values_list("pk", "status", "title", "reference")),
        "terms": list(TermsVersion.objects.values_list("pk", "version", "notes", "effective_from")),
        "periods": TermsPeriod.objects.count(),
        "policies": Policy.objects.count(),
        "tiers": list(TierMembership.objects.values_list("country_id", "effective_from", "tier", "source")),
        "allotments": list(Allotment.objects.values_list("pk", "capacity_tpp", "terms_id")),
        "audit": AuditEvent.objects.count(),
        "countries": Country.objects.count(),
    }


REFUSED_CALLS = {
    "agreement_create": lambda actor, agreement: services.agreement_create(
        actor=actor,
        country=agreement.country,
        reference="G2G-IN-X",
        title="Unauthorised",
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        terms={},
    ),
    "agreement_update": lambda actor, agreement: services.agreement_update(
        actor=actor, agreement=agreement, title="Unauthorised"
    ),
    "amendment_create": lambda actor, agreement: services.amendment_create(
        actor=actor, agreement=agreement, effective_from=agreement.valid_from, reason="x", terms={"notes": "x"}
    ),
    "policy_propose": lambda actor, agreement: services.policy_propose(actor=actor, kind="global", reason="x"),
    "tier_membership_set": lambda actor, agreement: services.tier_membership_set(
        actor=actor, country=agreement.country, tier=3, effective_from=datetime.date(2026, 1, 1), source="x"
    ),
    "agreements_expire_due": lambda actor, agreement: services.agreements_expire_due(
        actor=actor, today=agreement.valid_until + datetime.timedelta(days=1)
    ),
    "agreement_allotments_apply_due": lambda actor, agreement: services.agreement_allotments_apply_due(actor=actor),
}
WHO_MAY = {
    "agreement_create": "negotiator",
    "agreement_update": "negotiator",
    "amendment_create": "negotiator",
    "policy_propose": "policy_admin",
    "tier_membership_set": "policy_admin",
    "agreements_expire_due": "negotiator",
    "agreement_allotments_apply_due": "negotiator",
}


ROLES = ["exporter", "licensing_officer", "approving_official", "agency_reviewer", "negotiator", "policy_admin"]


@pytest.mark.parametrize(
    "name, role", [(name, role) for name in sorted(REFUSED_CALLS) for role in ROLES if role != WHO_MAY[name]]
)
def test_a_service_refuses_an_actor_without_its_permission_and_writes_nothing(db, name, role):
    status = S.NEGOTIATING if name == "agreement_update" else S.IN_FORCE
    agreement, actor = make_agreement(status), make_user(role)
    before = _db_rows()
    with pytest.raises(PermissionDenied):
        REFUSED_CALLS[name](actor, agreement)
    assert _db_rows() == before


def test_the_system_actor_may_run_the_daily_jobs(negotiator):
    agreement = make_agreement(
        S.IN_FORCE, valid_until=datetime.date(2020, 12, 31), valid_from=datetime.date(2020, 1, 1)
    )
    assert services.agreements_expire_due(actor=services.SYSTEM) == [agreement.reference]


# Backdating (SPEC § 5.1): a transition takes effect at `effective_at`, never in the future nor before the
# previous status change; creating the draft does not count for that bound


def test_a_transition_may_take_effect_in_the_past_and_both_instants_are_kept(negotiator):
    agreement = make_agreement(S.DRAFT)
    began = timezone.now() - datetime.timedelta(days=40)
    services.agreement_start_negotiation(actor=negotiator, agreement=agreement, effective_at=began)
    change = agreement.status_changes.order_by("-id").first()
    assert change.at == began and change.recorded_at > began
    event = AuditEvent.objects.filter(verb="agreement.negotiating").latest("id")
    assert event.payload["effective_at"] == began.isoformat()
    assert event.payload["recorded_at"] == change.recorded_at.isoformat()
    assert agreement_status_at(agreement, began + datetime.timedelta(days=1)) == S.NEGOTIATING
    assert agreement_status_at(agreement, timezone.now()) == S.NEGOTIATING  # the later-recorded draft row does not win


@pytest.mark.parametrize(
    "when, words",
    [(datetime.timedelta(days=1), "not in the future"), (-datetime.timedelta(days=20), "cannot take effect before")],
    ids=["future", "before-the-previous-change"],
)
def test_an_instant_in_the_future_or_before_the_previous_change_is_refused_and_writes_nothing(negotiator, when, words):
    agreement = make_agreement(S.DRAFT)
    services.agreement_start_negotiation(
        actor=negotiator, agreement=agreement, effective_at=timezone.now() - datetime.timedelta(days=10)
    )
    before = written(agreement)
    with pytest.raises(ValidationError) as refused:
        services.agreement_sign(actor=negotiator, agreement=agreement, effective_at=timezone.now() + when)
    assert words in refused.value.message_dict["effective_at"][0]
    agreement.refresh_from_db()
    assert agreement.status == S.NEGOTIATING and written(agreement) == before


def test_entry_into_force_at_a_past_instant_answers_in_force_after_it_and_not_before(negotiator):
    now = timezone.now()
    agreement = make_agreement(S.DRAFT, valid_from=(now - datetime.timedelta(days=90)).date())
    for step, days in (("start_negotiation", 60), ("sign", 50), ("enter_into_force", 30)):
        getattr(services, f"agreement_{step}")(
            actor=negotiator, agreement=agreement, effective_at=now - datetime.timedelta(days=days)
        )
    assert agreement_in_force("IN", now - datetime.timedelta(days=29)) == agreement
    assert agreement_in_force("IN", now - datetime.timedelta(days=31)) is None
    agreement.refresh_from_db()
    assert agreement.signed_on == (now - datetime.timedelta(days=50)).date()
