"""The agreements admin as negotiators and staff use it: lists, the agreement workflow, amendments, allotments and
the dashboard of allotment use per country."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.choices import AllotmentSource, Tier
from agreements.models import Agreement, Allotment, Policy, TermsVersion
from agreements.selectors import countries_with_tier, policy_in_force
from agreements.units import H100_TPP
from portal.choices import Role
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement, schedule_rows, this_year
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agreements_agreement_changelist")
ADD = reverse("admin:agreements_agreement_add")
ALLOTMENTS = reverse("admin:agreements_allotment_changelist")
DASHBOARD = reverse("admin:agreements_allotment_dashboard")


def login(*roles: str) -> Client:
    client = Client()
    client.user = make_user(*roles)
    client.force_login(client.user)
    return client


@pytest.fixture
def negotiator() -> Client:
    return login(Role.NEGOTIATOR)


@pytest.fixture
def officer() -> Client:
    return login(Role.LICENSING_OFFICER)


def change_url(agreement: Agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def transition_url(agreement: Agreement, name: str) -> str:
    """A transition's page, in the one workflow-actions framework (portal.admin_workflow)."""
    return reverse("admin:agreements_agreement_action", args=[agreement.pk, name])


def amend_url(agreement: Agreement) -> str:
    return reverse("admin:agreements_agreement_amend", args=[agreement.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def tier2_codes(count: int) -> list[str]:
    return list(countries_with_tier().filter(tier=Tier.TIER_2).order_by("code").values_list("code", flat=True))[:count]


def agreement_form(schedule: dict | None = None, **overrides) -> dict:
    start, end = this_year()
    next_start, next_end = end + datetime.timedelta(days=1), end.replace(year=end.year + 1)
    if schedule is None:
        schedule = schedule_rows((start, end, 100_000, "h100e"), (next_start, next_end, 1_583_200_000, "tpp"))
    return {
        **schedule,
        "country": "IN",
        "reference": "G2G-IN-2026",
        "title": "US–India AI compute arrangement",
        "valid_from": start.isoformat(),
        "valid_until": (end + datetime.timedelta(days=730)).isoformat(),
        "lead_negotiator": "",
        "lpp_threshold_tpp": "",
        "government_assurances": "on",
        "reciprocal_investment_usd": "0",
        "revenue_share_percent": "",
        "permitted_end_uses": ["commercial_datacenter", "research"],
        "excluded_end_users": "Shady Compute Ltd",
        "security_conditions": "Compute-usage reports to BIS\nNo re-export",
        "reporting_cadence": "quarterly",
        "notes": "",
        **overrides,
    }


def inline_management(**counts: int) -> dict:
    """Management forms of the read-only inlines on an agreement's change page (their forms are never saved)."""
    data = {}
    for prefix in ("terms_versions", "status_changes"):
        for name in ("TOTAL_FORMS", "INITIAL_FORMS"):
            data[f"{prefix}-{name}"] = counts.get(prefix, 0)
        data[f"{prefix}-MIN_NUM_FORMS"], data[f"{prefix}-MAX_NUM_FORMS"] = 0, 1000
    return data


# Who sees what


@pytest.mark.parametrize("role", [Role.NEGOTIATOR, Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL])
def test_lists_and_pages_render_for_negotiators_and_staff(role):
    client = login(role)
    agreement = make_agreement(S.IN_FORCE)
    allotment = Allotment.objects.filter(agreement=agreement).first()
    for url in [
        CHANGELIST,
        change_url(agreement),
        ALLOTMENTS,
        reverse("admin:agreements_allotment_change", args=[allotment.pk]),
        reverse("admin:agreements_ledgerentry_changelist"),
        DASHBOARD,
        reverse("admin:index"),
    ]:
        assert client.get(url).status_code == 200, url


def test_an_exporter_is_sent_to_the_login_page():
    client = login(Role.EXPORTER)
    for url in [CHANGELIST, ALLOTMENTS, DASHBOARD]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_staff_read_agreements_but_cannot_add_change_or_act(officer):
    agreement = make_agreement(S.NEGOTIATING)
    page = officer.get(CHANGELIST).content.decode()
    assert agreement.reference in page
    assert 'name="action"' not in page and ADD not in page
    assert officer.get(ADD).status_code == 403
    detail = officer.get(change_url(agreement)).content.decode()
    assert 'name="title"' not in detail and 'name="schedule-0-period_start"' not in detail
    assert transition_url(agreement, "sign") not in detail
    # The action's page (the framework's, as for licences) says it is not theirs; the service refuses the POST.
    assert "not open to you" in officer.get(transition_url(agreement, "sign")).content.decode()
    events = AuditEvent.objects.count()
    refused = officer.post(transition_url(agreement, "sign"), {"reason": ""})
    assert refused.status_code == 200 and "may not sign" in refused.context["form"].non_field_errors()[0]
    assert Agreement.objects.get(pk=agreement.pk).status == S.NEGOTIATING and AuditEvent.objects.count() == events
    assert officer.get(amend_url(agreement)).status_code == 403


def test_nothing_can_be_deleted_in_these_admins(negotiator):
    agreement = make_agreement(S.DRAFT)
    allotment = Allotment.objects.first()
    assert negotiator.get(reverse("admin:agreements_agreement_delete", args=[agreement.pk])).status_code == 403
    assert negotiator.get(reverse("admin:agreements_allotment_delete", args=[allotment.pk])).status_code == 403
    assert "delete_selected" not in negotiator.get(CHANGELIST).content.decode()


def test_allotments_and_ledger_are_read_only(negotiator):
    allotment = Allotment.objects.first()
    assert negotiator.get(reverse("admin:agreements_allotment_add")).status_code == 403
    page = negotiator.get(reverse("admin:agreements_allotment_change", args=[allotment.pk])).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page


# Creating and editing an agreement while it is negotiated


def test_a_negotiator_creates_an_agreement_with_its_first_terms(negotiator):
    response = negotiator.post(ADD, agreement_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.get(reference="G2G-IN-2026")
    assert (agreement.status, agreement.lead_negotiator) == (S.DRAFT, negotiator.user)
    terms = agreement.terms_versions.get()
    start, end = this_year()
    assert [(p.period_start, p.capacity_tpp) for p in terms.periods.all()] == [
        (start, 100_000 * H100_TPP),
        (end + datetime.timedelta(days=1), 1_583_200_000),
    ]
    assert terms.security_conditions == ["Compute-usage reports to BIS", "No re-export"]
    assert terms.permitted_end_uses == ["commercial_datacenter", "research"]
    assert terms.government_assurances and terms.excluded_end_users == ["Shady Compute Ltd"]
    event = AuditEvent.objects.get(verb="agreement.created", target_id=str(agreement.pk))
    assert event.actor == negotiator.user


# The schedule's rows (bad rows, caps, adding a row): tests/agreements/test_schedule_rows.py


def test_a_negotiator_edits_the_terms_of_a_draft_in_place(negotiator):
    agreement = make_agreement(S.NEGOTIATING)
    page = negotiator.get(change_url(agreement))
    form = page.context["adminform"].form
    [row] = [row for row in form.schedule_rows if row.initial]  # prefilled from the current terms
    assert (row.initial["amount"], row.initial["unit"]) == (1_000, "h100e")
    start, end = this_year()
    rows = schedule_rows((start, end, 2_000, "h100e"), initial=1)
    data = {
        **agreement_form(reference=agreement.reference, title="Revised title", schedule=rows),
        **inline_management(),
    }
    del data["country"]
    response = negotiator.post(change_url(agreement), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement.refresh_from_db()
    terms = agreement.terms_versions.get()
    assert agreement.title == "Revised title" and terms.version == 1
    assert [p.capacity_tpp for p in terms.periods.all()] == [2_000 * H100_TPP]
    event = AuditEvent.objects.get(verb="agreement.changed", target_id=str(agreement.pk))
    assert "title" in event.payload["changed"] and event.payload["after"]["allotments"][0]["capacity_tpp"] == 31_664_000


def test_an_in_force_agreement_has_no_editable_terms(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    response = negotiator.get(change_url(agreement))
    page = response.content.decode()
    for field in ("title", "reference", "schedule-0-amount", "government_assurances", "security_conditions", "notes"):
        assert f'name="{field}"' not in page, field
    assert "Terms history" in page and "1,000.00 H100e" in page  # the versions stay readable
    assert amend_url(agreement) in page and transition_url(agreement, "suspend") in page
    assert negotiator.post(change_url(agreement), {"title": "x", **inline_management()}).status_code == 403
    assert Agreement.objects.get(pk=agreement.pk).title == agreement.title


# Transitions: admin actions and buttons, calling agreements.services


# Irreversible acts taken on the list show the selected records and ask before they are taken.
CANNOT_BE_UNDONE = {"sign", "enter_into_force", "terminate"}


@pytest.mark.parametrize(
    "start, action, reason, target",
    [
        (S.DRAFT, "start_negotiation", None, S.NEGOTIATING),
        (S.NEGOTIATING, "sign", None, S.SIGNED),
        (S.SIGNED, "enter_into_force", None, S.IN_FORCE),
        (S.IN_FORCE, "suspend", "Reporting obligations missed", S.SUSPENDED),
        (S.SUSPENDED, "resume", "Reports received", S.IN_FORCE),
        (S.IN_FORCE, "terminate", "Partner withdrew", S.TERMINATED),
    ],
)
def test_each_action_moves_the_status_and_is_audited(negotiator, start, action, reason, target):
    agreement = make_agreement(start)
    data = {"action": action, "_selected_action": [agreement.pk]}
    if reason is not None or action in CANNOT_BE_UNDONE:  # first the page asking (a reason, or "sure?"), then the act
        asked = negotiator.post(CHANGELIST, {**data, "index": 0})
        assert asked.status_code == 200 and "admin/portal/workflow_list_action.html" in [
            t.name for t in asked.templates
        ]
        assert Agreement.objects.get(pk=agreement.pk).status == start
        data.update(post="yes", reason=reason or "")
    else:
        data["index"] = 0
    response = negotiator.post(CHANGELIST, data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == target
    event = AuditEvent.objects.filter(target_id=str(agreement.pk), verb=f"agreement.{target}").latest("id")
    assert event.actor == negotiator.user and event.payload["reason"] == (reason or "")
    assert any(agreement.reference in text for text in messages_of(response))


def test_an_action_in_the_wrong_state_is_an_error_message_and_changes_nothing(negotiator):
    draft, negotiating = make_agreement(S.DRAFT), make_agreement(S.NEGOTIATING, country="AE")
    events = AuditEvent.objects.count()
    response = negotiator.post(CHANGELIST, {"action": "sign", "post": "yes", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and draft.reference in str(message) and "draft" in str(message)
    assert Agreement.objects.get(pk=draft.pk).status == S.DRAFT
    assert AuditEvent.objects.count() == events
    # With a good one selected too, the good one moves and the other is reported.
    negotiator.post(CHANGELIST, {"action": "sign", "post": "yes", "_selected_action": [draft.pk, negotiating.pk]})
    assert Agreement.objects.get(pk=negotiating.pk).status == S.SIGNED
    assert Agreement.objects.get(pk=draft.pk).status == S.DRAFT


def test_suspending_without_a_reason_is_refused_and_the_form_shown_again(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    data = {"action": "suspend", "_selected_action": [agreement.pk], "post": "yes", "reason": "   "}
    response = negotiator.post(CHANGELIST, data)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert f'name="_selected_action" value="{agreement.pk}"' in response.content.decode()
    # The button on the page works the same way.
    response = negotiator.post(transition_url(agreement, "suspend"), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert Agreement.objects.get(pk=agreement.pk).status == S.IN_FORCE
    assert not AuditEvent.objects.filter(verb="agreement.suspended").exists()


def test_the_buttons_on_the_page_take_the_agreement_through_its_lifecycle(negotiator):
    agreement = make_agreement(S.NEGOTIATING)
    page = negotiator.get(transition_url(agreement, "sign"))
    assert page.status_code == 200 and "signed_on" in page.context["form"].fields
    signed_on = datetime.date.today() - datetime.timedelta(days=3)
    response = negotiator.post(transition_url(agreement, "sign"), {"signed_on": signed_on.isoformat()})
    assert response.status_code == 302 and response["Location"] == change_url(agreement)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_on) == (S.SIGNED, signed_on)
    negotiator.post(transition_url(agreement, "enter_into_force"), {"reason": ""})
    negotiator.post(transition_url(agreement, "suspend"), {"reason": "Audit pending"})
    agreement.refresh_from_db()
    assert agreement.status == S.SUSPENDED
    assert list(agreement.status_changes.values_list("to_status", flat=True)) == [
        S.DRAFT,
        S.NEGOTIATING,
        S.SIGNED,
        S.IN_FORCE,
        S.SUSPENDED,
    ]


def test_a_button_for_a_step_no_longer_possible_explains_and_changes_nothing(negotiator):
    agreement = make_agreement(S.TERMINATED)
    events = AuditEvent.objects.count()
    response = negotiator.post(transition_url(agreement, "resume"), {"reason": "Try"})
    assert response.status_code == 200  # the action's page again, with the service's refusal on top
    assert "terminated" in response.context["form"].non_field_errors()[0]
    assert "Nothing was changed." in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == S.TERMINATED and AuditEvent.objects.count() == events


def test_a_transition_page_is_the_portal_frameworks_and_a_future_instant_is_refused_on_it(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    page = negotiator.get(transition_url(agreement, "suspend"))
    assert "admin/portal/workflow_action.html" in [t.name for t in page.templates]
    assert {"reason", "effective_at"} <= set(page.context["form"].fields)
    before = (agreement.status_changes.count(), AuditEvent.objects.count())
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    response = negotiator.post(
        transition_url(agreement, "suspend"),
        {"reason": "Audit pending", "effective_at_0": tomorrow.date().isoformat(), "effective_at_1": "10:00:00"},
    )
    assert response.status_code == 200
    assert "not in the future" in response.context["form"].errors["effective_at"][0]
    assert "Nothing was changed." in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == S.IN_FORCE
    assert (agreement.status_changes.count(), AuditEvent.objects.count()) == before


def test_a_backdated_transition_through_the_page_records_when_it_took_effect(negotiator):
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - datetime.timedelta(hours=2)):
        agreement = make_agreement(S.IN_FORCE)  # in force two hours ago
    earlier = timezone.localtime() - datetime.timedelta(minutes=30)
    response = negotiator.post(
        transition_url(agreement, "suspend"),
        {
            "reason": "Audit pending",
            "effective_at_0": earlier.date().isoformat(),
            "effective_at_1": earlier.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    change = agreement.status_changes.latest("id")
    assert change.to_status == S.SUSPENDED and change.at == earlier.replace(microsecond=0)
    assert change.recorded_at > change.at


def test_a_superuser_without_a_role_is_offered_no_step_and_no_list_action(db):
    """Superusers hold no role (portal.permissions): the admin offers them nothing the table would refuse."""
    root = get_user_model().objects.create_superuser("root", "root@example.gov", "root-password-long-1")
    client = Client()
    client.force_login(root)
    agreement = make_agreement(S.IN_FORCE)
    events = AuditEvent.objects.count()
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    offered = (
        [name for name, _ in listing.context["action_form"].fields["action"].choices]
        if listing.context["action_form"]
        else []
    )
    assert not set(offered) & {"start_negotiation", "sign", "enter_into_force", "suspend", "resume", "terminate"}
    assert client.get(change_url(agreement)).status_code == 302  # no role, no scope: not theirs to see
    assert client.post(transition_url(agreement, "suspend"), {"reason": "Because"}).status_code == 404
    assert client.get(amend_url(agreement)).status_code == 404
    assert Agreement.objects.get(pk=agreement.pk).status == S.IN_FORCE and AuditEvent.objects.count() == events


def test_unknown_transitions_and_agreements_are_404(negotiator):
    agreement = make_agreement(S.DRAFT)
    assert negotiator.get(transition_url(agreement, "expire")).status_code == 404
    assert negotiator.get(reverse("admin:agreements_agreement_action", args=[999999, "sign"])).status_code == 404


# Amendments


def test_an_amendment_through_the_admin_creates_version_2_and_updates_allotments(negotiator):
    agreement = make_agreement(S.IN_FORCE)
    page = negotiator.get(amend_url(agreement))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["security_conditions"].value() == "Compute-usage reports to BIS"  # prefilled from version 1
    start, end = this_year()
    data = {
        "effective_from": datetime.date.today().isoformat(),
        "reason": "Capacity raised after the annual review",
        **schedule_rows((start, end, 3_000, "h100e"), initial=1),
        "government_assurances": "on",
        "reciprocal_investment_usd": "0",
        "security_conditions": "Compute-usage reports to BIS",
        "reporting_cadence": "monthly",
    }
    response = negotiator.post(amend_url(agreement), data)
    assert response.status_code == 302, response.context["form"].errors
    assert "version 2" in messages_of(response)[0]
    v1, v2 = TermsVersion.objects.filter(agreement=agreement).order_by("version")
    assert (v2.version, v2.reason, v2.reporting_cadence) == (2, "Capacity raised after the annual review", "monthly")
    assert [p.capacity_tpp for p in v1.periods.all()] == [1_000 * H100_TPP]  # the old version stays as it was
    assert Allotment.objects.get(agreement=agreement).capacity_tpp == 3_000 * H100_TPP
    assert AuditEvent.objects.filter(verb="agreement.amended", target_id=str(agreement.pk)).exists()
    assert "Version 2" in negotiator.get(change_url(agreement)).content.decode()


def test_an_amendment_taking_effect_before_the_current_terms_is_refused_on_the_field(negotiator):
    agreement = make_agreement(S.SIGNED)
    data = {"effective_from": "2000-01-01", "reason": "Backdated", "reciprocal_investment_usd": "0"}
    response = negotiator.post(amend_url(agreement), data)
    assert response.status_code == 200
    assert "cannot take effect before" in response.context["form"].errors["effective_from"][0]
    assert agreement.terms_versions.count() == 1


def test_a_draft_is_not_amended_but_edited(negotiator):
    agreement = make_agreement(S.DRAFT)
    response = negotiator.get(amend_url(agreement))
    assert response.status_code == 302 and "edit its terms" in messages_of(response)[0]


# Allotments and the dashboard


def test_the_dashboard_shows_committed_pending_and_remaining_per_country(negotiator):
    india = Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)
    services.allotment_reserve(
        actor=None, allotment_id=india.pk, tpp=1_000 * H100_TPP, consignee="gulf compute", reference="L-1"
    )
    response = negotiator.get(DASHBOARD)
    assert response.status_code == 200
    rows = response.context["rows"]
    first = rows[0]
    assert first["country"].code == "IN"  # most used first
    # 790,000,000 TPP ≈ 49,898.9 H100e; 1,000 committed; 48,898.9 remaining
    assert (first["capacity"], first["committed"], first["remaining"], first["pending"]) == (
        "49,899",
        "1,000",
        "48,899",
        "0",
    )
    page = response.content.decode()
    assert "India" in page and "1,000" in page and "48,899" in page
    assert 'aria-label="2% of capacity committed"' in page
    assert "Allotment use per country" in page and "H100-equivalents" in page


def test_the_dashboard_shows_agreement_allotments_with_the_uplift_noted(negotiator):
    agreement = make_agreement(S.IN_FORCE, country="AE")
    response = negotiator.get(DASHBOARD, {"source": "agreement"})
    [row] = response.context["rows"]
    assert row["country"].code == "AE" and agreement.reference in row["source"] and row["capacity"] == "1,000"
    tiered = negotiator.get(DASHBOARD, {"q": "AE"}).context["rows"]  # one page of 50: find it
    uae = next(r for r in tiered if r["country"].code == "AE")
    assert uae["capacity"] == "99,798" and "uplifted" in uae["source"]  # double while the agreement is in force


def test_the_dashboard_is_linked_from_the_admin_index_and_closed_to_others(negotiator):
    assert DASHBOARD in negotiator.get(reverse("admin:index")).content.decode()
    reviewer = login(Role.AGENCY_REVIEWER)  # staff, but no view_allotment_usage
    assert reviewer.get(DASHBOARD).status_code == 403
    assert DASHBOARD not in reviewer.get(reverse("admin:index")).content.decode()


def test_the_allotment_list_shows_usage_in_h100e_with_a_bar(negotiator):
    india = Allotment.objects.get(country_id="IN", source=AllotmentSource.TIER_ALLOCATION)
    services.allotment_reserve(actor=None, allotment_id=india.pk, tpp=25_000 * H100_TPP, consignee="x", reference="L-2")
    page = negotiator.get(ALLOTMENTS, {"country__code__exact": "IN"}).content.decode()
    assert "25,000" in page and "24,899" in page
    assert 'aria-label="50% of capacity committed"' in page
    detail = negotiator.get(reverse("admin:agreements_allotment_change", args=[india.pk])).content.decode()
    assert "L-2" in detail and "395,800,000 TPP (25,000.00 H100e)" in detail


# Constant queries whatever the number of rows


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm the per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def _in_force_in(codes, negotiator_user):
    for code in codes:
        make_agreement(S.IN_FORCE, country=code, actor=negotiator_user)


def test_the_agreement_list_runs_a_constant_number_of_queries(negotiator):
    codes = tier2_codes(30)
    for code in codes[:2]:
        make_agreement(S.DRAFT, country=code)
    few = _queries(negotiator, CHANGELIST)
    for code in codes[2:]:
        make_agreement(S.DRAFT, country=code)
    assert Agreement.objects.count() == 30
    assert _queries(negotiator, CHANGELIST) == few


def test_the_allotment_list_and_the_dashboard_run_a_constant_number_of_queries(negotiator):
    codes = tier2_codes(30)
    assert len(codes) == 30
    _in_force_in(codes[:2], negotiator.user)
    agreements_only = {"source__exact": AllotmentSource.AGREEMENT}
    few = (_queries(negotiator, ALLOTMENTS, agreements_only), _queries(negotiator, DASHBOARD, {"source": "agreement"}))
    _in_force_in(codes[2:], negotiator.user)
    assert Allotment.objects.filter(source=AllotmentSource.AGREEMENT).count() == 30
    many = (_queries(negotiator, ALLOTMENTS, agreements_only), _queries(negotiator, DASHBOARD, {"source": "agreement"}))
    assert many == few
    assert len(negotiator.get(DASHBOARD, {"source": "agreement"}).context["rows"]) == 30


# The policy switch: a refusal by the service after a valid form comes back on the form


def test_a_switch_the_service_refuses_is_shown_on_the_form_and_writes_nothing():
    """A rule only the service knows (here a stand-in refusal) comes back next to its field, the form kept."""
    current = policy_in_force()
    instant = timezone.now() + datetime.timedelta(days=7)
    data = {
        "kind": "global",
        "effective_from_0": instant.strftime("%Y-%m-%d"),
        "effective_from_1": instant.strftime("%H:%M:%S"),
        "reason": "Global regime",
        **{name: str(getattr(current, name)) for name in ("lpp_threshold_tpp", "tier2_allocation_tpp")},
        **{name: str(getattr(current, name)) for name in ("tier2_period_start", "tier2_period_end", "g2g_uplift")},
        "licence_validity_days": str(current.licence_validity_days),
        "grace_days": str(current.grace_days),
        "revenue_share_due_days": str(current.revenue_share_due_days),
        **{f"band_{n}_h100e": str(band["h100e"]) for n, band in enumerate(current.size_bands, start=1)},
        **{f"band_{n}_condition": band["condition"] for n, band in enumerate(current.size_bands, start=1)},
        "confirm": "1",
    }
    refusal = ValidationError({"effective_from": "Another policy already takes effect at that instant."})
    client = login(Role.POLICY_ADMIN)
    events = AuditEvent.objects.count()
    with mock.patch("agreements.services.policy_propose", side_effect=refusal):
        response = client.post(reverse("admin:agreements_policy_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"effective_from": ["Another policy already takes effect at that instant."]}
    assert form["reason"].value() == "Global regime"
    assert Policy.objects.count() == 1 and AuditEvent.objects.count() == events
