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
from licensing.admin.actions import Offer, WorkflowAction, WorkflowActionsMixin
from licensing.admin.filters import InScopeRelatedFilter, ReferredAgencyFilter, ReviewClockFilter, StatusFilter
from licensing.admin.forms import (
    AgencyRecommendForm,
    ApproveForm,
    ConfirmForm,
    DenyForm,
    QuestionForm,
    RecommendForm,
    ReferForm,
    ReturnForm,
)
from licensing.choices import FINAL_APPLICATION_STATUSES, ApplicationStatus, PartyRole
from licensing.models import Application, ApplicationLine, ApplicationParty, InfoRequest, Referral
from licensing.workflow import APPLICATION, REFERRAL, REVIEW
from portal.admin import AuditHistoryMixin
from portal.choices import AgencyCode
from portal.models import Organisation
from portal.refusals import REFUSALS, refusal_text
from portal.selectors import user_agency_code, user_is_staff

ACN_SHAPE = re.compile(r"[A-Z]\d{6}")

ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "start_review",
            "Start review",
            "Take the case: it moves to under review, with you as its officer if it has none.",
            ConfirmForm,
            services.application_start_review,
            "{record}: review started.",
        ),
        WorkflowAction(
            "request_info",
            "Request information",
            "Ask the exporter a question. The 90-day clock stops until they answer.",
            QuestionForm,
            services.application_request_info,
            "{record}: question sent to the exporter; the 90-day clock is paused.",
        ),
        WorkflowAction(
            "refer",
            "Refer to agencies",
            "Ask Defense, State and/or Energy for their recommendation within 30 days.",
            ReferForm,
            services.application_refer,
            "{record}: referred. Each agency has 30 days to recommend.",
        ),
        WorkflowAction(
            "agency_recommend",
            "Record your agency's recommendation",
            "Answer the referral for your agency. The case returns to review when the last agency answers.",
            AgencyRecommendForm,
            services.application_agency_recommend,
            "{record}: your agency's recommendation is recorded.",
        ),
        WorkflowAction(
            "recommend",
            "Recommend",
            "The officer recommendation an approving official needs before deciding.",
            RecommendForm,
            services.application_recommend,
            "{record}: recommendation recorded.",
        ),
        WorkflowAction(
            "approve",
            "Approve",
            "Issue the licence for all or part of the request. It is determined again now and drawn on the "
            "allotment at once.",
            ApproveForm,
            services.application_approve,
            "{record}: approved; the licence is issued.",
        ),
        WorkflowAction(
            "deny",
            "Deny",
            "Refuse the application. The exporter is told the reason.",
            DenyForm,
            services.application_deny,
            "{record}: denied.",
            danger=True,
        ),
        WorkflowAction(
            "return",
            "Return without action",
            "Send the application back unprocessed (for example incomplete or misclassified).",
            ReturnForm,
            services.application_return,
            "{record}: returned without action.",
            danger=True,
        ),
    ]
}

FIELDSETS = [
    (
        "The case",
        {
            "fields": [
                ("acn_display", "status"),
                ("organisation_name", "submission"),
                ("destination_display", "end_use_category"),
                "end_use",
                "parties_table",
                "lines_table",
            ]
        },
    ),
    (
        "Determination at submission (frozen)",
        {
            "fields": ["outcome_display", "reasons_display", "conditions_display", "allotment_display"],
            "description": "What the rules in force said when the exporter submitted. An approval is determined "
            "again at the moment of decision.",
        },
    ),
    ("Clocks", {"fields": ["review_clock_detail", "referral_clocks_detail"]}),
    ("Information requests", {"fields": ["info_requests_table"]}),
    ("Referrals and agency recommendations", {"fields": ["referrals_table"]}),
    (
        "Officer recommendation",
        {"fields": [("officer_name", "recommended_by_name"), "recommendation", "recommendation_rationale"]},
    ),
    ("Decision", {"fields": [("decided_display", "licence_display"), "decision_reason"]}),
]


def _user(user) -> str:
    return user.get_username() if user is not None else "—"


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


@admin.register(Application)
class ApplicationAdmin(WorkflowActionsMixin, AuditHistoryMixin, admin.ModelAdmin):
    change_form_template = "admin/licensing/application/change_form.html"
    workflow_actions = ACTIONS
    record_kwarg = "application"

    list_display = [
        "acn_display",
        "exporter",
        "destination",
        "status",
        "requested_h100e",
        "officer",
        "review_clock",
        "referral_clocks",
    ]
    list_display_links = ["acn_display"]
    list_filter = [
        StatusFilter,
        ReviewClockFilter,
        ReferredAgencyFilter,
        ("destination", InScopeRelatedFilter),
        ("officer", InScopeRelatedFilter),
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

    actions = ["start_review_selected"]
    fieldsets = FIELDSETS
    readonly_fields = flatten_fieldsets(FIELDSETS)

    # Who sees and does what: scope from the selector, every change through a service.

    def get_queryset(self, request):
        referrals = Referral.objects.select_related("agency").order_by("agency__code")
        queryset = selectors.applications_visible_to(request.user).prefetch_related(
            Prefetch("referrals", queryset=referrals)
        )
        return queryset.order_by(*self.get_ordering(request))

    def changelist_view(self, request, extra_context=None):
        code = user_agency_code(request.user) if request.user.has_perm(REFERRAL) else None
        agency = AgencyCode(code).label if code in AgencyCode.values else None
        context = {
            "title": "Case queue: licence applications",
            "queue": {"agency": agency, "agency_code": code if agency else None},
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_list_filter(self, request):
        if user_is_staff(request.user):
            return self.list_filter
        return [spec for spec in self.list_filter if spec != ("officer", InScopeRelatedFilter)]

    def has_add_permission(self, request):
        return False  # exporters file through their pages and the API

    def has_change_permission(self, request, obj=None):
        return False  # changed only by the workflow actions below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW)

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

    def offers(self, request, application) -> list[Offer]:
        """The actions this person may take on this case now; blocked ones say what they wait for."""
        user, now = request.user, timezone.now()
        offers = []
        for transition in APPLICATION.available(application.status):
            if transition.name not in ACTIONS or not user.has_perm(transition.permission):
                continue
            if transition.name == "agency_recommend" and not self._agency_awaited(application, user):
                continue
            offers.append(
                self.offer(transition.name, application, blocked=self._blocked(transition.name, application, user, now))
            )
        return offers

    @staticmethod
    def _agency_awaited(application, user) -> bool:
        code = user_agency_code(user)
        return any(r.agency.code == code for r in display.unanswered(application.referrals.all()))

    @staticmethod
    def _blocked(name: str, application, user, now) -> str:
        if name == "start_review" and application.status == ApplicationStatus.REFERRED:
            waiting = [r for r in display.unanswered(application.referrals.all()) if r.due_at > now]
            if waiting:
                agencies = ", ".join(f"{r.agency.name} (due {r.due_at:%Y-%m-%d})" for r in waiting)
                return f"Review resumes when every agency has answered or its 30 days have passed: {agencies}."
        if name in ("approve", "deny"):
            if not application.recommended_by_id:
                return "An officer recommendation is needed before a decision."
            if application.recommended_by_id == user.pk:
                return "You made the officer recommendation on this case: another approving official must decide it."
        return ""

    def is_closed(self, application) -> bool:
        return application.status in FINAL_APPLICATION_STATUSES

    def related_links(self, request, application) -> list[tuple[str, str]]:
        if application.status != ApplicationStatus.APPROVED or not request.user.has_perm("licensing.view_licence"):
            return []
        licence = selectors.licences_visible_to(request.user).filter(application=application).first()
        if licence is None:
            return []
        return [(f"Licence {licence.number}", reverse("admin:licensing_licence_change", args=[licence.pk]))]

    def state_sentence(self, request, application) -> str:
        """Where the case stands and whom it waits for."""
        status, now = application.status, timezone.now()
        if status in FINAL_APPLICATION_STATUSES:
            when = f" on {application.decided_at:%Y-%m-%d}" if application.decided_at else ""
            who = f" by {application.decided_by.get_username()}" if application.decided_by_id else ""
            return f"{application.get_status_display()}{when}{who}. The case is closed and its record is read-only."
        if status == ApplicationStatus.DRAFT:
            return "A draft: the exporter has not submitted it yet."
        if status == ApplicationStatus.SUBMITTED:
            return "Submitted: waiting for a licensing officer to start review."
        if status == ApplicationStatus.INFO_REQUESTED:
            return "Waiting for the exporter to answer the request for information; the 90-day clock is paused."
        if status == ApplicationStatus.REFERRED:
            waiting = [r for r in display.unanswered(application.referrals.all()) if r.due_at > now]
            if waiting:
                return f"Referred: waiting for {', '.join(r.agency.name for r in waiting)}."
            return "Referred: every agency has answered or run out of time; an officer can resume review."
        if application.recommendation:
            return (
                f"Under review; the officer recommends {application.get_recommendation_display().lower()}: "
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

    # The queue's columns

    @admin.display(description="ACN", ordering="acn")
    def acn_display(self, application):
        return application.acn or f"Draft #{application.pk}"

    @admin.display(description="Exporter", ordering="organisation__name")
    def exporter(self, application):
        return application.organisation.name

    @admin.display(description="H100e requested", ordering="requested_tpp")
    def requested_h100e(self, application):
        if application.status == ApplicationStatus.DRAFT:
            return "—"
        return display.h100e_text(application.requested_tpp)

    @admin.display(description="90-day clock", ordering="due_at")
    def review_clock(self, application):
        return display.review_clock(application, timezone.now()).html()

    @admin.display(description="Open referrals")
    def referral_clocks(self, application):
        return display.referral_clocks_html(display.unanswered(application.referrals.all()), timezone.now())

    # The case page's sections

    @admin.display(description="Exporter")
    def organisation_name(self, application):
        return application.organisation.name

    @admin.display(description="Submitted")
    def submission(self, application):
        if not application.submitted_at:
            return "Not yet"
        return f"{_when(application.submitted_at)} by {_user(application.submitted_by)}"

    @admin.display(description="Destination")
    def destination_display(self, application):
        return str(application.destination)

    @admin.display(description="Parties")
    def parties_table(self, application):
        parties = ApplicationParty.objects.filter(application=application).select_related("country", "hq_country")
        rows = [
            (
                party.get_role_display(),
                party.name,
                party.address or "—",
                str(party.country),
                str(party.hq_country) if party.role == PartyRole.END_USER and party.hq_country else "—",
            )
            for party in parties
        ]
        return display.table(["Role", "Name", "Address", "Country", "Headquarters"], rows, "No parties.")

    @admin.display(description="Lines")
    def lines_table(self, application):
        lines = ApplicationLine.objects.filter(application=application).select_related("product__chip")
        rows = []
        for line in lines:
            tpp = line.product.tpp
            eccn = line.product.eccn if line.product.is_controlled else "not controlled (for information only)"
            rows.append(
                (
                    str(line.product),
                    eccn,
                    f"{line.quantity:,}",
                    f"{tpp:,}",
                    f"{tpp * line.quantity:,}",
                    display.h100e_text(tpp * line.quantity),
                    f"{line.unit_price_usd:,}",
                )
            )
        headers = ["Product", "ECCN", "Quantity", "TPP per unit", "TPP", "H100e", "Unit price (USD)"]
        return display.table(headers, rows, "No lines.")

    @admin.display(description="Outcome")
    def outcome_display(self, application):
        result = application.determination
        if not result:
            return "Not determined yet (determined on submission)."
        outcome = result["outcome"].replace("_", " ")
        presumption = f", presumption of {result['presumption']}" if result.get("presumption") else ""
        requested = tpp_and_h100e(result.get("requested_tpp") or 0)
        return f"{outcome}{presumption} — {result.get('regime', '')} regime; requested {requested}"

    @admin.display(description="Reasons")
    def reasons_display(self, application):
        reasons = (application.determination or {}).get("reasons") or []
        return display.bullet_list(f"{reason['text']} [{reason['rule']}]" for reason in reasons)

    @admin.display(description="Licence conditions an approval would carry")
    def conditions_display(self, application):
        return display.bullet_list((application.determination or {}).get("conditions") or [])

    @admin.display(description="Allotment")
    def allotment_display(self, application):
        allotment = (application.determination or {}).get("allotment")
        if not allotment:
            return "None applies (no allotment drawn)."
        return f"#{allotment['id']}: {tpp_and_h100e(allotment['remaining_tpp'])} remaining before this request"

    @admin.display(description="90-day clock")
    def review_clock_detail(self, application):
        clock = display.review_clock(application, timezone.now())
        if application.due_at is None or application.status in FINAL_APPLICATION_STATUSES:
            return clock.html()
        if clock.paused:
            left = display.days(display.days_left_when_resumed(application))
            return format_html("{}: {} left once the exporter answers", clock.html(), left)
        return format_html("{} (due {})", clock.html(), _when(application.due_at))

    @admin.display(description="Agencies' 30-day clocks")
    def referral_clocks_detail(self, application):
        return display.referral_clocks_html(application.referrals.all(), timezone.now(), empty="Not referred.")

    @admin.display(description="Questions to the exporter")
    def info_requests_table(self, application):
        requests = InfoRequest.objects.filter(application=application).select_related("asked_by", "answered_by")
        rows = [
            (
                f"{_when(request.asked_at)}, {_user(request.asked_by)}",
                request.question,
                request.answer or "Awaiting the exporter's answer",
                _when(request.answered_at),
            )
            for request in requests
        ]
        return display.table(["Asked", "Question", "Answer", "Answered"], rows, "None.")

    @admin.display(description="Referrals")
    def referrals_table(self, application):
        now = timezone.now()
        referrals = Referral.objects.filter(application=application).select_related(
            "agency", "referred_by", "answered_by"
        )
        rows = [
            (
                referral.agency.name,
                f"{_when(referral.referred_at)}, {_user(referral.referred_by)}",
                _when(referral.due_at),
                display.referral_clock(referral, now).html(),
                referral.rationale or "—",
                f"{_when(referral.answered_at)}, {_user(referral.answered_by)}" if referral.answered_at else "—",
            )
            for referral in referrals
        ]
        headers = ["Agency", "Referred", "Due", "State", "Rationale", "Answered"]
        return display.table(headers, rows, "Not referred.")

    @admin.display(description="Case officer")
    def officer_name(self, application):
        return _user(application.officer)

    @admin.display(description="Recommended by")
    def recommended_by_name(self, application):
        return _user(application.recommended_by)

    @admin.display(description="Decided")
    def decided_display(self, application):
        if not application.decided_at:
            return "Not decided yet."
        return (
            f"{application.get_status_display()} on {_when(application.decided_at)} by {_user(application.decided_by)}"
        )

    @admin.display(description="Licence")
    def licence_display(self, application):
        licence = getattr(application, "licence", None) if application.status == ApplicationStatus.APPROVED else None
        return licence.number if licence else "—"
