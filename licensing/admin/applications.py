"""The case queue (SPEC § 5, staff): applications with their 90-day and 30-day clocks, read-only pages with every
part of the case, and the workflow actions each person may take now. Every action calls licensing.services, the
same functions as the API; scope comes from licensing.selectors (agency reviewers see only their referrals)."""

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from agreements.units import tpp_and_h100e
from licensing import selectors, services
from licensing.admin import display
from licensing.admin.application_actions import ACTIONS
from licensing.admin.application_sections import (
    FIELDSETS,
    REVIEWER_FIELDSETS,
    ApplicationSectionsMixin,
    proposal_text,
)
from licensing.admin.documents import CaseDocumentsMixin
from licensing.admin.filters import (
    AwaitingMyDecisionFilter,
    InScopeRelatedFilter,
    ReferredAgencyFilter,
    ReviewClockFilter,
    StatusFilter,
)
from licensing.admin.programmes import ProgrammeFilter
from licensing.choices import FINAL_APPLICATION_STATUSES, ApplicationStatus
from licensing.models import Application, Licence, Referral
from licensing.workflow import APPLICATION, REFERRAL, REVIEW
from portal.admin import AuditHistoryMixin
from portal.admin_csv import export_csv
from portal.admin_workflow import WorkflowActionsMixin
from portal.choices import AgencyCode
from portal.display import day
from portal.models import Organisation
from portal.permissions import allowed
from portal.refusals import REFUSALS, refusal_text
from portal.scoping import is_insider
from portal.selectors import user_agency_code

ACN_SHAPE = re.compile(r"[A-Z]\d{6}")


@admin.register(Application)
class ApplicationAdmin(
    CaseDocumentsMixin, WorkflowActionsMixin, ApplicationSectionsMixin, AuditHistoryMixin, admin.ModelAdmin
):
    change_form_template = "admin/licensing/application/change_form.html"
    workflow = APPLICATION
    workflow_actions = ACTIONS
    record_kwarg = "application"

    list_display = [
        "acn_display",
        "exporter",
        "destination",
        "status_and_recommendation",
        "requested_h100e",
        "officer",
        "review_clock",
        "referral_clocks",
    ]
    list_display_links = ["acn_display"]
    list_filter = [
        StatusFilter,
        AwaitingMyDecisionFilter,
        ReviewClockFilter,
        ReferredAgencyFilter,
        ("destination", InScopeRelatedFilter),
        ("officer", InScopeRelatedFilter),
        ProgrammeFilter,
    ]
    list_select_related = ["organisation", "destination", "officer"]
    search_fields = ["acn", "organisation__name"]
    search_help_text = "Search by application control number (ACN) or exporter name."
    show_full_result_count = False
    ordering = ["due_at", "id"]

    def get_search_results(self, request, queryset, search_term):
        """An ACN is matched exactly (its unique index answers); anything else is looked up among the
        organisations first, so the search never scans every application's joined name."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if ACN_SHAPE.fullmatch(term.upper()):
            return queryset.filter(acn=term.upper()), False
        return queryset.filter(organisation__in=Organisation.objects.filter(name__icontains=term)), False

    actions = ["start_review_selected", export_csv]
    fieldsets = FIELDSETS
    readonly_fields = flatten_fieldsets(FIELDSETS)

    # Who sees and does what: scope from the selector, every change through a service.

    def get_queryset(self, request):
        referrals = Referral.objects.select_related("agency", "referred_by", "answered_by").order_by("agency__code")
        queryset = Application.objects.restrict(request.user, "view").prefetch_related(
            Prefetch("referrals", queryset=referrals)
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_object(self, request, object_id, from_field=None):
        """The case, with its referrals as this viewer may see them (the page's sections read them)."""
        application = super().get_object(request, object_id, from_field)
        if application is not None:
            application.referrals_seen = selectors.referrals_as_seen(application, request.user)
        return application

    def get_fieldsets(self, request, obj=None):
        """An agency reviewer's page leaves out the officer's recommendation, rationale and history."""
        return FIELDSETS if is_insider(request.user, Application) else REVIEWER_FIELDSETS

    def get_list_display(self, request):
        if is_insider(request.user, Application):
            return self.list_display
        columns = [column for column in self.list_display if column != "officer"]
        return ["status" if column == "status_and_recommendation" else column for column in columns]

    @admin.display(description="Status", ordering="status")
    def status_and_recommendation(self, application):
        """The status, and under it the officer's recommendation once made (what the approver's queue reads)."""
        if not application.recommendation:
            return application.get_status_display()
        return format_html(
            "{}<br><small>Recommended: {}</small>",
            application.get_status_display(),
            application.get_recommendation_display(),
        )

    def render_change_form(self, request, context, *args, **kwargs):
        """The audit history carries every payload (the officer's rationale, other agencies' answers, an
        approver's justification): insiders only, as the audit trail itself is (portal.view_auditevent)."""
        if not is_insider(request.user, Application):
            context["audit_events"] = None
        return super().render_change_form(request, context, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        code = user_agency_code(request.user) if allowed(request.user, REFERRAL) else None
        agency = AgencyCode(code).label if code in AgencyCode.values else None
        context = {
            "title": "Case queue: licence applications",
            "queue": {"agency": agency, "agency_code": code if agency else None},
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_list_filter(self, request):
        if is_insider(request.user, Application):
            return self.list_filter
        return [spec for spec in self.list_filter if spec != ("officer", InScopeRelatedFilter)]

    def has_add_permission(self, request):
        return False  # exporters file through their pages and the API

    def has_change_permission(self, request, obj=None):
        return False  # changed only by the workflow actions below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return allowed(request.user, REVIEW)

    @admin.action(description="Start review of the selected submitted cases", permissions=["review"])
    def start_review_selected(self, request, queryset):
        started, refused = [], []
        for application in queryset:
            try:
                services.application_start_review(actor=request.user, application=application)
            except REFUSALS as exc:
                refused.append(f"{application}: {refusal_text(exc)}")
            else:
                started.append(str(application))
        if started:
            self.message_user(request, f"Review started: {', '.join(started)}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def offered(self, request, application, name: str) -> bool:
        """An agency reviewer answers only for their own agency, while its referral is unanswered."""
        if name != "agency_recommend":
            return True
        code = user_agency_code(request.user)
        return any(r.agency.code == code and r.answered_at is None for r in application.referrals.all())

    def blocked(self, request, application, name: str) -> str:
        """The services' own rules, from the selectors: the page never offers what the service refuses."""
        if name == "start_review" and application.status == ApplicationStatus.REFERRED:
            now = timezone.now()
            waiting = [r for r in application.referrals.all() if r.is_open(now)]
            if waiting:
                agencies = ", ".join(f"{r.agency.name} (due {day(r.due_at)})" for r in waiting)
                return f"Review resumes when every agency has answered or its 30 days have passed: {agencies}."
        if name in ("approve", "deny"):
            return " ".join(selectors.decision_blockers(application, request.user))
        return ""

    def related_links(self, request, application) -> list[tuple[str, str]]:
        if application.status != ApplicationStatus.APPROVED or not allowed(request.user, "licensing.view_licence"):
            return []
        licence = Licence.objects.restrict(request.user, "view").filter(application=application).first()
        if licence is None:
            return []
        return [(f"Licence {licence.number}", reverse("admin:licensing_licence_change", args=[licence.pk]))]

    def state_sentence(self, request, application) -> str:
        """Where the case stands and whom it waits for."""
        status, now = application.status, timezone.now()
        if status in FINAL_APPLICATION_STATUSES:
            when = f" on {day(application.decided_at)}" if application.decided_at else ""
            who = f" by {application.decided_by.get_username()}" if application.decided_by_id else ""
            return f"{application.get_status_display()}{when}{who}. The case is closed and its record is read-only."
        if status == ApplicationStatus.DRAFT:
            return "A draft: the exporter has not submitted it yet."
        if status == ApplicationStatus.SUBMITTED:
            return "Submitted: waiting for a licensing officer to start review."
        if status == ApplicationStatus.INFO_REQUESTED:
            return "Waiting for the exporter to answer the request for information; the 90-day clock is paused."
        if status == ApplicationStatus.REFERRED:
            waiting = [r for r in application.referrals.all() if r.is_open(now)]
            if waiting:
                return f"Referred: waiting for {', '.join(r.agency.name for r in waiting)}."
            return "Referred: every agency has answered or run out of time; an officer can resume review."
        if not is_insider(request.user, Application):
            return "Under review by the licensing officer."  # the officer's recommendation is not a reviewer's
        if application.recommendation:
            proposal = ""
            if application.recommended_quantities or application.recommended_conditions:
                proposal = (
                    " (proposing "
                    + proposal_text(application, application.recommended_quantities, application.recommended_conditions)
                    + ")"
                )
            return (
                f"Under review; the officer recommends {application.get_recommendation_display().lower()}{proposal}: "
                "waiting for an approving official's decision."
            )
        return "Under review: waiting for the officer's recommendation."

    def action_summary(self, application) -> list[tuple[str, str]]:
        return [
            ("Application", str(application)),
            ("Exporter", application.organisation.name),
            ("Destination", str(application.destination)),
            ("Status", application.get_status_display()),
            ("Requested", tpp_and_h100e(application.requested_tpp)),
            ("90-day clock", display.review_clock(application, timezone.now()).text),
        ]
