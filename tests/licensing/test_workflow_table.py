"""The application and licence transition tables (SPEC § 4), exhaustively and without a database.

The expected tables below are written out from the spec, not derived from licensing.workflow, so a change to
either side shows up as a failing pair.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from licensing import workflow
from licensing.choices import (
    FINAL_APPLICATION_STATUSES,
    ApplicationStatus,
    LicenceStatus,
    ObligationStatus,
    ProposalStatus,
)
from portal.errors import InvalidTransition
from portal.workflow import SYSTEM, statuses

A, L = ApplicationStatus, LicenceStatus
NON_FINAL = {A.DRAFT, A.SUBMITTED, A.UNDER_REVIEW, A.INFO_REQUESTED, A.REFERRED}

# transition → (statuses it may start from, status it leads to, permission, reason required)
APPLICATION_EXPECTED = {
    "edit": ({A.DRAFT}, A.DRAFT, workflow.FILE, False),
    "submit": ({A.DRAFT}, A.SUBMITTED, workflow.FILE, False),
    "start_review": ({A.SUBMITTED, A.REFERRED}, A.UNDER_REVIEW, workflow.REVIEW, False),
    "request_info": ({A.UNDER_REVIEW}, A.INFO_REQUESTED, workflow.REVIEW, False),
    "respond": ({A.INFO_REQUESTED}, A.UNDER_REVIEW, workflow.FILE, False),
    "amend_info_request": ({A.INFO_REQUESTED}, A.INFO_REQUESTED, workflow.REVIEW, False),
    "withdraw_info_request": ({A.INFO_REQUESTED}, A.UNDER_REVIEW, workflow.REVIEW, True),
    "refer": ({A.UNDER_REVIEW}, A.REFERRED, workflow.REVIEW, False),
    "agency_recommend": ({A.REFERRED}, A.REFERRED, workflow.REFERRAL, False),
    "referrals_answered": ({A.REFERRED}, A.UNDER_REVIEW, SYSTEM, False),
    "recommend": ({A.UNDER_REVIEW}, A.UNDER_REVIEW, workflow.REVIEW, False),
    "approve": ({A.UNDER_REVIEW}, A.APPROVED, workflow.DECIDE, False),
    "deny": ({A.UNDER_REVIEW}, A.DENIED, workflow.DECIDE, True),
    "return": ({A.SUBMITTED, A.UNDER_REVIEW}, A.RETURNED, workflow.REVIEW, True),
    "withdraw": (NON_FINAL, A.WITHDRAWN, workflow.FILE, False),
}
LICENCE_EXPECTED = {
    "ship": ({L.ACTIVE}, L.ACTIVE, workflow.SHIP, False),
    "exhaust": ({L.ACTIVE}, L.EXHAUSTED, SYSTEM, False),
    "suspend": ({L.ACTIVE}, L.SUSPENDED, workflow.MANAGE, True),
    "reinstate": ({L.SUSPENDED}, L.ACTIVE, workflow.MANAGE, True),
    "revoke": ({L.ACTIVE, L.SUSPENDED}, L.REVOKED, workflow.MANAGE, True),
    "expire": ({L.ACTIVE, L.SUSPENDED}, L.EXPIRED, SYSTEM, False),
}
OB, P = ObligationStatus, ProposalStatus
OBLIGATION_EXPECTED = {
    "submit": ({OB.OPEN, OB.REJECTED}, OB.SUBMITTED, workflow.SUBMIT_OBLIGATION, False),
    "accept": ({OB.SUBMITTED}, OB.ACCEPTED, workflow.REVIEW_OBLIGATION, False),
    "reject": ({OB.SUBMITTED}, OB.REJECTED, workflow.REVIEW_OBLIGATION, True),
}
PROPOSAL_EXPECTED = {
    "confirm": ({P.OPEN}, P.CONFIRMED, workflow.MANAGE, False),
    "dismiss": ({P.OPEN}, P.DISMISSED, workflow.MANAGE, True),
}
TABLES = [
    pytest.param(workflow.APPLICATION, APPLICATION_EXPECTED, A, id="application"),
    pytest.param(workflow.LICENCE, LICENCE_EXPECTED, L, id="licence"),
    pytest.param(workflow.OBLIGATION, OBLIGATION_EXPECTED, OB, id="obligation"),
    pytest.param(workflow.SUSPENSION_PROPOSAL, PROPOSAL_EXPECTED, P, id="suspension_proposal"),
]


class StubUser:
    """Just enough of a user for `check`, without a database: the permissions its roles hold, as
    portal.permissions.allowed reads them (its per-request cache of the user's role permissions)."""

    is_authenticated = True
    is_active = True
    is_superuser = False

    def __init__(self, *permissions: str) -> None:
        self.permissions = set(permissions)
        self._portal_permissions = frozenset(permissions)

    def has_perm(self, permission: str) -> bool:  # what Django would answer; the table must not ask it
        return permission in self.permissions


EVERYTHING = StubUser(*{spec[2] for spec in [*APPLICATION_EXPECTED.values(), *LICENCE_EXPECTED.values()]})


class Superuser(StubUser):
    """A superuser holding no role: Django's has_perm says yes to everything, the portal to nothing."""

    is_superuser = True

    def has_perm(self, permission: str) -> bool:
        return True


def taker(table, name):
    """Who takes the transition in these tests: the system (None) for system moves, else a person with every
    permission."""
    return None if table.get(name).permission == SYSTEM else EVERYTHING


def pairs(table, expected, status_enum):
    return [
        pytest.param(table, name, status, status in expected[name][0], id=f"{table.entity}-{name}-{status}")
        for name, status in itertools.product(expected, status_enum.values)
    ]


ALL_PAIRS = pairs(workflow.APPLICATION, APPLICATION_EXPECTED, A) + pairs(workflow.LICENCE, LICENCE_EXPECTED, L)


@pytest.mark.parametrize(("table", "expected", "status_enum"), TABLES)
def test_the_table_has_exactly_the_transitions_of_the_spec(table, expected, status_enum):
    assert {t.name for t in table.transitions} == set(expected)
    assert statuses(table.transitions) == set(status_enum.values)  # every status is reachable or left


@pytest.mark.parametrize(("table", "name", "status", "allowed"), ALL_PAIRS)
def test_every_transition_from_every_status(table, name, status, allowed):
    if allowed:
        transition = table.check(name, status, taker(table, name), reason="Because.")
        assert transition.name == name
    else:
        with pytest.raises(InvalidTransition) as refused:
            table.check(name, status, taker(table, name), reason="Because.")
        assert refused.value.extra["status"] == status
        assert status in refused.value.message  # tells the person what state the record is in


@pytest.mark.parametrize(("table", "expected", "status_enum"), TABLES)
def test_each_transition_leads_where_the_spec_says(table, expected, status_enum):
    for name, (_, target, _, _) in expected.items():
        assert table.get(name).target == target, name


@pytest.mark.parametrize(("table", "expected", "status_enum"), TABLES)
def test_available_lists_what_each_status_allows(table, expected, status_enum):
    for status in status_enum.values:
        assert {t.name for t in table.available(status)} == {n for n, spec in expected.items() if status in spec[0]}


def test_final_application_statuses_have_no_way_out():
    assert {A.APPROVED, A.DENIED, A.RETURNED, A.WITHDRAWN} == FINAL_APPLICATION_STATUSES
    for status in FINAL_APPLICATION_STATUSES:
        assert workflow.APPLICATION.available(status) == []


@pytest.mark.parametrize("status", [L.REVOKED, L.EXPIRED, L.EXHAUSTED])
def test_ended_licences_have_no_way_out(status):
    assert workflow.LICENCE.available(status) == []


def test_every_application_status_is_reachable_from_draft():
    reached, frontier = {A.DRAFT}, [A.DRAFT]
    while frontier:
        for transition in workflow.APPLICATION.available(frontier.pop()):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(A.values)


@pytest.mark.parametrize(
    ("table", "name", "permission"),
    [
        pytest.param(table, n, spec[2], id=f"{table.entity}-{n}")
        for table, expected in ((workflow.APPLICATION, APPLICATION_EXPECTED), (workflow.LICENCE, LICENCE_EXPECTED))
        for n, spec in expected.items()
        if spec[2] != SYSTEM  # system moves: test_no_person_takes_a_system_move
    ],
)
def test_each_transition_needs_its_permission_and_only_that(table, name, permission):
    source = sorted(table.get(name).sources)[0]
    assert table.check(name, source, StubUser(permission), reason="Because.").name == name
    others = StubUser(*(EVERYTHING.permissions - {permission}))
    with pytest.raises(PermissionDenied):
        table.check(name, source, others, reason="Because.")


SYSTEM_MOVES = [
    pytest.param(table, name, id=f"{table.entity}-{name}")
    for table, expected in ((workflow.APPLICATION, APPLICATION_EXPECTED), (workflow.LICENCE, LICENCE_EXPECTED))
    for name, spec in expected.items()
    if spec[2] == SYSTEM
]


@pytest.mark.parametrize(("table", "name"), SYSTEM_MOVES)
def test_no_person_takes_a_system_move(table, name):
    """Not even one holding every permission, nor a superuser: the system (no actor) alone moves it, and no page
    offers it."""
    source = sorted(table.get(name).sources)[0]
    for person in (EVERYTHING, Superuser()):
        with pytest.raises(PermissionDenied, match="the system does it"):
            table.check(name, source, person, reason="Because.")
        assert name not in {t.name for t in table.available_to(source, person)}
    assert table.check(name, source, None).name == name


def test_the_pure_move_sets_the_transitions_own_target_and_nothing_else():
    class Record:
        status = A.REFERRED

    record = Record()
    assert workflow.APPLICATION.move(record, "referrals_answered", None) == A.REFERRED
    assert record.status == A.UNDER_REVIEW
    with pytest.raises(InvalidTransition):
        workflow.APPLICATION.move(record, "referrals_answered", None)
    assert record.status == A.UNDER_REVIEW


@pytest.mark.parametrize(("table", "name", "status", "allowed"), ALL_PAIRS)
def test_a_user_without_the_permission_is_refused_whatever_the_status(table, name, status, allowed):
    """Permission is checked first: someone without the right learns nothing about the record's state."""
    with pytest.raises(PermissionDenied):
        table.check(name, status, StubUser(), reason="Because.")


@pytest.mark.parametrize(("table", "name", "status", "allowed"), ALL_PAIRS)
def test_the_system_acts_without_a_user(table, name, status, allowed):
    """Scheduled jobs (expiry) pass no user: only the state is checked."""
    if allowed:
        assert table.check(name, status, None, reason="Because.").name == name
    else:
        with pytest.raises(InvalidTransition):
            table.check(name, status, None, reason="Because.")


REASONED = [
    pytest.param(table, name, sorted(spec[0])[0], spec[3], id=f"{table.entity}-{name}")
    for table, expected in ((workflow.APPLICATION, APPLICATION_EXPECTED), (workflow.LICENCE, LICENCE_EXPECTED))
    for name, spec in expected.items()
]


@pytest.mark.parametrize(("table", "name", "source", "required"), REASONED)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_blank_reason_is_refused_only_where_one_is_required(table, name, source, required, reason):
    assert table.get(name).reason_required is required
    if required:
        with pytest.raises(ValidationError) as refused:
            table.check(name, source, taker(table, name), reason=reason)
        assert "reason" in refused.value.message_dict
    else:
        assert table.check(name, source, taker(table, name), reason=reason).name == name


def test_an_illegal_state_is_reported_before_a_missing_reason():
    with pytest.raises(InvalidTransition):
        workflow.APPLICATION.check("deny", A.DRAFT, EVERYTHING, reason="")


def test_an_unknown_transition_is_a_programming_error():
    with pytest.raises(KeyError):
        workflow.APPLICATION.check("teleport", A.DRAFT, EVERYTHING)


PERSON_MOVES = [
    pytest.param(table, name, id=f"{table.entity}-{name}")
    for table, expected in ((workflow.APPLICATION, APPLICATION_EXPECTED), (workflow.LICENCE, LICENCE_EXPECTED))
    for name, spec in expected.items()
    if spec[2] != SYSTEM
]


@pytest.mark.parametrize(("table", "name"), PERSON_MOVES)
def test_a_superuser_without_a_role_takes_no_transition_and_is_offered_none(table, name):
    """Permission comes from roles only (portal.permissions.allowed): being a superuser grants nothing."""
    source = sorted(table.get(name).sources)[0]
    with pytest.raises(PermissionDenied):
        table.check(name, source, Superuser(), reason="Because.")
    assert table.available_to(source, Superuser()) == []
