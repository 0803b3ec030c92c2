"""The case admin as staff use it: the queue with its clocks and filters, scope per role, each workflow action
through its service (and refusals that change nothing), licences and LPP notifications."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from agreements.models import Allotment, Country
from licensing import services
from licensing.admin.display import review_clock
from licensing.choices import ApplicationStatus as S
from licensing.choices import LicenceStatus
from licensing.models import Application, InfoRequest, Licence, Referral
from portal.choices import Role
from portal.models import AuditEvent
from portal.services import audit_record
from tests.factories import make_user
from tests.licensing.factories import approved, draft, notify, product, recommended, submitted, under_review

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:licensing_application_changelist")
LICENCES = reverse("admin:licensing_licence_changelist")
NOTIFICATIONS = reverse("admin:licensing_lppnotification_changelist")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def page(client: Client, url: str, **params) -> str:
    """The page as a person reads it: text, without the tags (links and forms are checked by their URLs)."""
    response = client.get(url, params)
    assert response.status_code == 200, response
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(strip_tags(html.replace("<br>", " ")).split())


def change_url(application: Application) -> str:
    return reverse("admin:licensing_application_change", args=[application.pk])


def action_url(application: Application, name: str) -> str:
    return reverse("admin:licensing_application_action", args=[application.pk, name])


def confirm_url(application: Application, name: str) -> str:
    """Approve and deny are taken on their confirmation page (the action's form leads there first)."""
    return reverse("admin:licensing_application_action_confirm", args=[application.pk, name])


def licence_action_url(licence: Licence, name: str) -> str:
    return reverse("admin:licensing_licence_action", args=[licence.pk, name])


def snapshot() -> dict:
    """Everything an action could write: equal before and after means nothing was written."""
    return {
        "audit": AuditEvent.objects.count(),
        "statuses": dict(Application.objects.values_list("pk", "status")),
        "recommendations": dict(Application.objects.values_list("pk", "recommended_by")),
        "questions": InfoRequest.objects.count(),
        "referrals": list(Referral.objects.values_list("pk", "answered_at")),
        "licences": dict(Licence.objects.values_list("pk", "status")),
        "committed": dict(Allotment.objects.values_list("pk", "committed_tpp")),
    }


def refer(application: Application, *agencies: str) -> Application:
    return services.application_refer(
        actor=make_user(Role.LICENSING_OFFICER), application=application, agencies=list(agencies)
    )


def events(application, verb: str) -> int:
    return AuditEvent.objects.filter(
        target_type="licensing.application", target_id=str(application.pk), verb=verb
    ).count()


# The queue


@pytest.mark.parametrize("role", [Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL, Role.POLICY_ADMIN])
def test_the_queue_shows_open_cases_with_their_clocks_to_staff(role):
    waiting = submitted()
    taken = under_review()
    done = approved()
    unsent = draft()

    html = page(login(make_user(role)), QUEUE)

    assert "Case queue" in html and "open cases" in html
    assert waiting.acn in html and taken.acn in html
    assert done.acn not in html and f"Draft #{unsent.pk}" not in html  # the queue is the open cases
    assert "90 days left" in html
    assert f"{int(waiting.requested_tpp / 15_832):,}.00" in html  # requested H100e


def test_decided_cases_are_a_filter_away_and_drafts_stay_with_the_exporter():
    done, unsent = approved(), draft()
    officer = login(make_user(Role.LICENSING_OFFICER))

    assert done.acn in page(officer, QUEUE, status="decided")
    everything = page(officer, QUEUE, status="all")
    assert done.acn in everything and f"Draft #{unsent.pk}" not in everything


def test_search_finds_a_case_by_acn_and_by_exporter():
    acme = submitted(make_user(Role.EXPORTER, organisation="Acme AI Systems Inc."))
    northwind = submitted(make_user(Role.EXPORTER, organisation="Northwind Servers Ltd"))
    officer = login(make_user(Role.LICENSING_OFFICER))

    by_acn = page(officer, QUEUE, q=acme.acn)
    assert acme.acn in by_acn and northwind.acn not in by_acn
    by_name = page(officer, QUEUE, q="northwind")
    assert northwind.acn in by_name and acme.acn not in by_name


def test_overdue_filter_lists_a_case_past_its_due_date_and_says_so_in_words():
    late, on_time = submitted(), submitted()
    Application.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(days=3, hours=1))

    html = page(login(make_user(Role.LICENSING_OFFICER)), QUEUE, clock="overdue")

    assert late.acn in html and on_time.acn not in html
    assert "overdue by 3 days" in html  # whole days past the due time, in words: not colour alone


def test_a_paused_clock_says_information_requested():
    case = under_review()
    services.application_request_info(actor=make_user(Role.LICENSING_OFFICER), application=case, question="Who?")

    html = page(login(make_user(Role.LICENSING_OFFICER)), QUEUE, clock="paused")

    assert case.acn in html and "paused (info requested)" in html


def test_open_referrals_show_each_agencys_30_day_clock_and_past_due_as_no_objection():
    case = refer(under_review(), "defense", "state")
    Referral.objects.filter(application=case, agency__code="state").update(due_at=timezone.now())
    officer = login(make_user(Role.LICENSING_OFFICER))

    html = page(officer, QUEUE, agency="defense")

    assert case.acn in html
    assert "Defense: 30 days left State: past due: no objection" in text(html)
    assert case.acn not in page(officer, QUEUE, agency="energy")
    assert case.acn not in page(officer, QUEUE, agency="state:awaiting")
    assert case.acn in page(officer, QUEUE, agency="defense:awaiting")


def test_an_agency_reviewer_sees_only_what_was_referred_to_their_agency():
    to_defense, to_state, not_referred = refer(under_review(), "defense"), refer(under_review(), "state"), submitted()
    reviewer = login(make_user(Role.AGENCY_REVIEWER, agency="defense"))

    html = page(reviewer, QUEUE)

    assert to_defense.acn in html
    assert to_state.acn not in html and not_referred.acn not in html
    assert "referred to <strong>Defense</strong>" in html
    assert reviewer.get(change_url(to_defense)).status_code == 200
    assert reviewer.get(change_url(to_state)).status_code == 302  # out of scope: "does not exist"
    assert reviewer.get(action_url(to_state, "agency_recommend")).status_code == 404
    assert "start_review_selected" not in html  # the bulk action is the officers'


def test_an_exporter_is_sent_to_the_admin_login():
    response = login(make_user(Role.EXPORTER)).get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_queue_costs_the_same_queries_for_2_and_for_30_cases():
    officer = login(make_user(Role.LICENSING_OFFICER))
    for _ in range(2):
        refer(under_review(), "defense", "energy")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(officer, QUEUE)
        return len(captured)

    few = queries()
    exporter = make_user(Role.EXPORTER)
    for number in range(28):
        case = under_review(exporter)
        if number % 2:
            refer(case, "state")
    assert Application.objects.filter(status__in=[S.UNDER_REVIEW, S.REFERRED]).count() == 30
    assert queries() == few


def test_the_queue_page_costs_at_most_ten_queries_none_of_them_the_inbox_or_a_second_permission_read():
    """SPEC § 6: admin changelists ≤ 10 queries. The session, the user, their permissions (roles and own, one
    query), their membership, the destination, officer and programme filters' choices, the count, the page and
    its referrals; the admin shows no inbox link, so the unread count is never asked."""
    officer = login(make_user(Role.LICENSING_OFFICER))
    refer(under_review(), "defense")
    with CaptureQueriesContext(connection) as captured:
        page(officer, QUEUE)
    statements = [query["sql"] for query in captured]
    assert len(statements) <= 10, statements
    assert not [sql for sql in statements if "portal_inboxmessage" in sql]
    assert len([sql for sql in statements if "auth_permission" in sql]) == 1


def test_nothing_is_added_or_deleted_in_the_admin():
    case = submitted()
    admin = login(make_user(Role.POLICY_ADMIN))

    assert admin.get(reverse("admin:licensing_application_add")).status_code == 403
    assert admin.get(reverse("admin:licensing_application_delete", args=[case.pk])).status_code == 403
    assert admin.get(reverse("admin:licensing_licence_add")).status_code == 403
    assert admin.get(reverse("admin:licensing_lppnotification_add")).status_code == 403
    html = page(admin, change_url(case))
    assert 'name="_save"' not in html  # read-only: changed only through the actions


# The case page


def test_the_case_page_shows_every_section_and_its_audit_history():
    case = recommended()
    html = page(login(make_user(Role.APPROVING_OFFICIAL)), change_url(case))

    for section in (
        "The case",
        "Determination at submission (frozen)",
        "Clocks",
        "Information requests",
        "Referrals and agency recommendations",
        "Officer recommendation",
        "Decision",
        "Audit history",
    ):
        assert section in html, section
    assert "Gulf Compute LLC" in html and "H100 SXM" in html and "3A090.a" in html
    assert "Licence required" in html and "Checked the end user." in html
    assert "Application: recommended" in html and "{&#x27;" not in html  # sentences, never a Python dict


def test_the_audit_history_reads_its_actors_with_the_events():
    case = recommended()
    client = login(make_user(Role.APPROVING_OFFICIAL))
    client.get(change_url(case))  # the process's reference facts, read once
    with CaptureQueriesContext(connection) as before:
        page(client, change_url(case))
    officers = [make_user(Role.LICENSING_OFFICER, username=f"history-officer-{n}") for n in range(3)]
    for officer in officers:
        audit_record(actor=officer, verb="application.changed", target=case)

    with CaptureQueriesContext(connection) as after:
        html = page(client, change_url(case))

    assert all(officer.username in html for officer in officers)
    assert len(after) == len(before), "a query per event's actor"


def test_a_decided_case_has_no_action_buttons():
    case = approved()
    for role in (Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL):
        html = page(login(make_user(role)), change_url(case))
        assert "/actions/" not in html
        assert "What you can do now" not in html
        assert "The case is closed and its record is read-only." in html


def test_only_the_actions_of_the_status_and_the_role_are_offered():
    case = submitted()
    officer_page = page(login(make_user(Role.LICENSING_OFFICER)), change_url(case))
    approver_page = page(login(make_user(Role.APPROVING_OFFICIAL)), change_url(case))

    assert action_url(case, "start_review") in officer_page and action_url(case, "return") in officer_page
    assert action_url(case, "refer") not in officer_page  # only once under review
    assert "/actions/" not in approver_page


# Each action moves the case through its service and leaves an audit event


def test_start_review_request_information_refer_agency_answer_recommend_and_approve():
    officer, approver = make_user(Role.LICENSING_OFFICER), make_user(Role.APPROVING_OFFICIAL)
    defense = make_user(Role.AGENCY_REVIEWER, agency="defense")
    case = submitted()

    def act(user, name, data=None, expected=None, verb=None):
        client = login(user)
        response = client.post(action_url(case, name), data or {})
        if name in ("approve", "deny"):  # asked on a confirmation page first, then confirmed there
            assert response.status_code == 200 and f'action="{confirm_url(case, name)}"' in response.content.decode()
            response = client.post(confirm_url(case, name), data or {})
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == change_url(case)
        case.refresh_from_db()
        assert case.status == expected
        assert events(case, verb) >= 1

    act(officer, "start_review", expected=S.UNDER_REVIEW, verb="application.review_started")
    assert case.officer == officer
    act(officer, "request_info", {"question": "Who runs the site?"}, S.INFO_REQUESTED, "application.info_requested")
    assert case.paused_at is not None
    services.application_respond(actor=case.created_by, application=case, answer="We do.")
    act(officer, "refer", {"agencies": ["defense"]}, S.REFERRED, "application.referred")
    act(defense, "agency_recommend", {"recommendation": "approve"}, S.UNDER_REVIEW, "application.agency_recommended")
    act(
        officer,
        "recommend",
        {"recommendation": "approve", "rationale": "Fine."},
        S.UNDER_REVIEW,
        "application.recommended",
    )
    line = case.lines.get()
    act(
        approver,
        "approve",
        {f"line_{line.pk}": 4000, "conditions": "No re-export\nQuarterly reports", "justification": ""},
        S.APPROVED,
        "application.approved",
    )
    licence = case.licence
    assert licence.lines.get().approved_quantity == 4000  # partial approval
    assert {"No re-export", "Quarterly reports"} <= set(licence.conditions)


def test_the_success_message_is_shown_on_the_case_page():
    case = submitted()
    response = login(make_user(Role.LICENSING_OFFICER)).post(action_url(case, "start_review"), follow=True)

    assert f"{case.acn}: review started." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "status", "verb"),
    [
        ("deny", {"reason": "End user of concern."}, S.DENIED, "application.denied"),
    ],
)
def test_an_approving_official_denies_with_a_reason(name, data, status, verb):
    case = recommended(recommendation="deny")
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    asked = approver.post(action_url(case, name), data)
    assert asked.status_code == 200  # the confirmation page first: nothing decided yet
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    response = approver.post(confirm_url(case, name), data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.decision_reason) == (status, data["reason"])
    assert events(case, verb) == 1


def test_an_officer_returns_a_case_without_action():
    case = submitted()
    response = login(make_user(Role.LICENSING_OFFICER)).post(action_url(case, "return"), {"reason": "Incomplete."})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.RETURNED and events(case, "application.returned") == 1


def test_bulk_start_review_takes_the_selected_submitted_cases():
    first, second, taken = submitted(), submitted(), under_review()
    officer = login(make_user(Role.LICENSING_OFFICER))

    response = officer.post(
        QUEUE,
        {"action": "start_review_selected", "_selected_action": [first.pk, second.pk, taken.pk], "index": 0},
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert Application.objects.get(pk=first.pk).status == S.UNDER_REVIEW
    assert Application.objects.get(pk=second.pk).status == S.UNDER_REVIEW
    assert "Review started:" in html
    assert f"{taken.acn}: Cannot start review" in html  # told why, not a 500
    assert events(first, "application.review_started") == 1


def test_bulk_start_review_is_not_offered_without_the_review_permission():
    submitted()
    html = page(login(make_user(Role.APPROVING_OFFICIAL)), QUEUE)

    assert "start_review_selected" not in html


# Refusals: an error on the page, nothing written


def test_the_recommending_officer_cannot_approve_even_holding_both_roles():
    both = make_user(Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL)
    case = recommended(officer=both)
    client = login(both)
    assert "You made an officer recommendation on this case: another official must decide it" in page(
        client, change_url(case)
    )
    before = snapshot()

    response = client.post(confirm_url(case, "approve"), {f"line_{case.lines.get().pk}": 5000})

    assert response.status_code == 200
    assert "You made an officer recommendation on this case" in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    assert snapshot() == before


def test_deny_without_a_reason_is_refused_and_writes_nothing():
    case = recommended()
    approver = login(make_user(Role.APPROVING_OFFICIAL))
    before = snapshot()

    response = approver.post(action_url(case, "deny"), {"reason": "  "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode() or "reason is required" in response.content.decode()
    assert snapshot() == before


def test_an_action_outside_the_role_or_the_status_is_refused_on_the_page():
    case = submitted()
    approver, officer = login(make_user(Role.APPROVING_OFFICIAL)), login(make_user(Role.LICENSING_OFFICER))
    before = snapshot()

    by_approver = approver.post(action_url(case, "start_review"))
    wrong_status = officer.post(action_url(case, "recommend"), {"recommendation": "approve", "rationale": "Early."})

    assert by_approver.status_code == 200 and "You may not start review" in by_approver.content.decode()
    assert wrong_status.status_code == 200 and "Cannot recommend: the application is submitted" in (
        wrong_status.content.decode()
    )
    assert snapshot() == before


def test_an_agency_answers_once_and_another_agency_not_at_all():
    case = refer(under_review(), "defense", "state")
    defense = login(make_user(Role.AGENCY_REVIEWER, agency="defense"))
    energy = login(make_user(Role.AGENCY_REVIEWER, agency="energy"))
    assert defense.post(action_url(case, "agency_recommend"), {"recommendation": "deny"}).status_code == 302
    assert "Record your agency" not in page(defense, change_url(case))  # answered: nothing more to do
    before = snapshot()

    again = defense.post(action_url(case, "agency_recommend"), {"recommendation": "approve"})
    bogus = defense.post(action_url(case, "agency_recommend"), {"recommendation": "maybe"})
    outsider = energy.post(action_url(case, "agency_recommend"), {"recommendation": "approve"})

    assert (
        again.status_code == 200 and "Your agency has no open referral on this application." in again.content.decode()
    )
    assert bogus.status_code == 200 and "Select a valid choice" in bogus.content.decode()
    assert outsider.status_code == 404  # not referred to Energy: out of scope
    assert snapshot() == before


def test_an_unknown_action_is_not_found():
    case = submitted()
    assert login(make_user(Role.LICENSING_OFFICER)).post(action_url(case, "explode")).status_code == 404


# Licences and LPP notifications


def test_licences_list_and_page_show_lines_shipments_and_the_audit_history():
    case = approved()
    licence = case.licence
    services.shipment_report(
        actor=case.created_by,
        licence=licence,
        shipped_on=timezone.localdate(),
        items=[{"product": product(), "quantity": 1200}],
    )
    approver = login(make_user(Role.APPROVING_OFFICIAL))

    listing = page(approver, LICENCES)
    assert licence.number in listing and "1,200 / 5,000" in listing
    detail = page(approver, reverse("admin:licensing_licence_change", args=[licence.pk]))
    assert "Lines: approved, shipped and remaining" in detail and "3,800" in detail
    assert "Licence: shipped" in detail and "Licence: issued" in detail
    assert "1,200 × " in detail  # the shipment in words: quantity and product name, not a product id
    assert licence_action_url(licence, "suspend") in detail and licence_action_url(licence, "revoke") in detail
    officer_view = page(
        login(make_user(Role.LICENSING_OFFICER)), reverse("admin:licensing_licence_change", args=[licence.pk])
    )
    assert "/actions/" not in officer_view  # suspend, reinstate and revoke are the approving officials'


def test_an_approving_official_suspends_reinstates_and_revokes_a_licence():
    licence = approved().licence
    client = login(make_user(Role.APPROVING_OFFICIAL))
    allotment = Allotment.objects.get(pk=licence.allotment_id)
    committed = allotment.committed_tpp

    for name, status in (
        ("suspend", LicenceStatus.SUSPENDED),
        ("reinstate", LicenceStatus.ACTIVE),
        ("revoke", LicenceStatus.REVOKED),
    ):
        response = client.post(licence_action_url(licence, name), {"reason": f"{name} for the test"})
        assert response.status_code == 302
        licence.refresh_from_db()
        assert licence.status == status
        verb = {"suspend": "licence.suspended", "reinstate": "licence.reinstated", "revoke": "licence.revoked"}[name]
        assert AuditEvent.objects.filter(target_type="licensing.licence", target_id=str(licence.pk), verb=verb).exists()

    allotment.refresh_from_db()
    assert allotment.committed_tpp == committed - licence.reserved_tpp  # the unshipped quota is released
    html = page(client, reverse("admin:licensing_licence_change", args=[licence.pk]))
    assert "/actions/" not in html


def test_a_licence_action_without_a_reason_or_by_an_officer_changes_nothing():
    licence = approved().licence
    approver, officer = login(make_user(Role.APPROVING_OFFICIAL)), login(make_user(Role.LICENSING_OFFICER))
    before = snapshot()

    no_reason = approver.post(licence_action_url(licence, "revoke"), {"reason": ""})
    by_officer = officer.post(licence_action_url(licence, "suspend"), {"reason": "x"})

    assert no_reason.status_code == 200 and "This field is required." in no_reason.content.decode()
    assert by_officer.status_code == 200 and "You may not suspend" in by_officer.content.decode()
    assert snapshot() == before


def test_lpp_notifications_are_listed_read_only_and_filter_by_year():
    exporter = make_user(Role.EXPORTER)
    notification = services.notification_file(
        actor=exporter,
        destination=Country.objects.get(code="IN"),
        consignee="Small Research Lab",
        end_user_hq=[],
        items=[{"product": product(), "quantity": 100}],
    )
    client = login(make_user(Role.LICENSING_OFFICER))

    listing = page(client, NOTIFICATIONS, year=str(notification.year))
    assert "Small Research Lab" in listing and "100.00" in listing
    assert "Small Research Lab" not in page(client, NOTIFICATIONS, year=str(notification.year - 1))
    detail = page(client, reverse("admin:licensing_lppnotification_change", args=[notification.pk]))
    assert "Notification: filed" in detail and 'name="_save"' not in detail


def test_review_resumes_on_a_referred_case_once_every_agency_answered_or_ran_out_of_time():
    case = refer(under_review(), "defense")
    officer = login(make_user(Role.LICENSING_OFFICER))
    waiting = text(page(officer, change_url(case)))
    assert "Start review — not yet." in waiting and "Department of Defense (due" in waiting

    Referral.objects.filter(application=case).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert action_url(case, "start_review") in page(officer, change_url(case))
    assert officer.post(action_url(case, "start_review")).status_code == 302
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW


# The clocks, as words


def _clocked(status=S.UNDER_REVIEW, *, due_in=None, paused_for=None) -> Application:
    now = timezone.now()
    due_at = now + due_in if due_in is not None else None
    paused_at = now - paused_for if paused_for is not None else None
    return Application(status=status, due_at=due_at, paused_at=paused_at)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        (_clocked(status=S.SUBMITTED, due_in=datetime.timedelta(days=90)), "90 days left"),
        (_clocked(due_in=datetime.timedelta(days=89, hours=2)), "90 days left"),
        (_clocked(due_in=datetime.timedelta(hours=2)), "1 day left"),
        (_clocked(due_in=-datetime.timedelta(hours=2)), "overdue by 1 day"),
        (_clocked(due_in=-datetime.timedelta(days=5, hours=2)), "overdue by 5 days"),
        (
            _clocked(S.INFO_REQUESTED, due_in=-datetime.timedelta(days=2), paused_for=datetime.timedelta(days=9)),
            "paused (info requested)",
        ),
        (_clocked(S.APPROVED, due_in=-datetime.timedelta(days=2)), "— (decided)"),
        (_clocked(S.DRAFT), "— (not submitted)"),
    ],
)
def test_the_90_day_clock_in_words(case, words):
    assert review_clock(case, timezone.now()).text == words


def test_a_referral_that_lapsed_reads_as_no_objection_and_an_answer_as_the_recommendation():
    case = refer(under_review(), "defense", "state")
    login(make_user(Role.AGENCY_REVIEWER, agency="defense")).post(
        action_url(case, "agency_recommend"), {"recommendation": "deny", "rationale": "Diversion risk."}
    )
    Referral.objects.filter(application=case, agency__code="state").update(due_at=timezone.now())
    officer = make_user(Role.LICENSING_OFFICER)
    services.application_start_review(actor=officer, application=case)
    services.application_refer(actor=officer, application=case, agencies=["state"])  # closes the lapsed one

    html = text(page(login(officer), change_url(case)))

    assert "recommended deny" in html and "Diversion risk." in html
    assert "no answer in 30 days: no objection" in html
    assert "State: 30 days left" in html


def test_an_approver_whose_recommendation_was_replaced_is_not_offered_approve():
    """The offer asks the service's own rule (selectors.decision_blockers): a replaced recommendation still bars
    its author from deciding, so the page says why instead of offering a button the service would refuse."""
    both = make_user(Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL)
    case = recommended(officer=both)
    services.application_recommend(
        actor=make_user(Role.LICENSING_OFFICER), application=case, recommendation="approve", rationale="Re-checked."
    )

    html = page(login(both), change_url(case))

    assert "You made an officer recommendation on this case: another official must decide it" in html
    assert action_url(case, "approve") not in html
    assert action_url(case, "deny") not in html


def test_an_approver_from_the_applicant_is_not_offered_a_decision():
    case = recommended()
    insider = make_user(Role.APPROVING_OFFICIAL, organisation=case.organisation.name)

    html = page(login(insider), change_url(case))

    assert "You belong to the applicant" in html
    assert action_url(case, "approve") not in html


def test_the_case_page_lists_every_recommendation_made_also_the_replaced_one():
    first, second = make_user(Role.LICENSING_OFFICER), make_user(Role.LICENSING_OFFICER)
    case = recommended(officer=first, recommendation="deny")
    services.application_recommend(actor=second, application=case, recommendation="approve", rationale="Re-checked.")

    html = strip_tags(page(login(make_user(Role.APPROVING_OFFICIAL)), change_url(case)))

    assert "Every recommendation made" in html
    assert first.get_username() in html and "Re-checked." in html


def test_the_notification_list_costs_the_same_queries_for_1_and_for_6_notifications():
    """Each row shows its destination and exporter: read with the page, not one query a row (the list's own
    select_related used to switch list_select_related off)."""
    officer = login(make_user(Role.LICENSING_OFFICER))
    notify(consignee="First Co")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert "First Co" in page(officer, NOTIFICATIONS)
        return len(captured)

    few = queries()
    for number, code in enumerate(["IN", "AE", "SA", "IN", "AE"]):
        notify(make_user(Role.EXPORTER), destination=code, consignee=f"Consignee {number}", quantity=10)
    assert queries() == few


def test_the_queue_checkboxes_are_djangos_own():
    """The queue writes each row's action checkbox itself (the form widget's template took a sixth of the page):
    the HTML is the one Django's ModelAdmin.action_checkbox renders, escaping included."""
    from django.contrib import admin as django_admin

    from licensing.admin.applications import ApplicationAdmin

    cases = [submitted(), draft()]
    queue = ApplicationAdmin(Application, django_admin.site)
    for case in cases:
        assert queue.action_checkbox(case) == django_admin.ModelAdmin.action_checkbox(queue, case)
    officer = login(make_user(Role.LICENSING_OFFICER))
    assert str(queue.action_checkbox(cases[0])) in page(officer, QUEUE)
