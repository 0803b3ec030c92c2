"""What licences owe, on the staff side (SPEC § 4 "Obligations"): licensing officers accept or reject what the
exporter submitted, with a reason; the queue "Overdue obligations" lists the proposals to suspend a licence whose
obligation is overdue past the grace days, which an approving official confirms or dismisses with a reason. Every
write goes through licensing.services, as the API's do."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from licensing import services
from licensing.admin.forms import TEXTAREA, ReasonForm
from licensing.choices import ProposalStatus, ScanStatus
from licensing.models import Obligation, SuspensionProposal
from licensing.obligation_selectors import with_overdue
from licensing.workflow import OBLIGATION, SUSPENSION_PROPOSAL
from portal.admin import AuditHistoryMixin
from portal.admin_workflow import ActionForm, WorkflowAction, WorkflowActionsMixin

OPENABLE = (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)  # staff open a file only once found clean (SPEC § 6)


class NotesForm(ActionForm):
    reason = forms.CharField(
        label="Notes", widget=forms.Textarea(attrs=TEXTAREA), required=False, help_text="Kept in the audit trail."
    )


class RejectForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, reason_help="Told to the exporter, who submits again; kept in the audit trail.", **kwargs
        )


class DismissForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, reason_help="Why the licence stays active; kept in the audit trail.", **kwargs)


OBLIGATION_ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "accept",
            "Accept",
            "What was submitted meets the obligation.",
            NotesForm,
            services.obligation_accept,
            "Obligation {record} accepted.",
        ),
        WorkflowAction(
            "reject",
            "Reject",
            "The exporter must submit again.",
            RejectForm,
            services.obligation_reject,
            "Obligation {record} rejected.",
        ),
    ]
}

PROPOSAL_ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "confirm",
            "Confirm: suspend the licence",
            "The licence takes no shipments until it is reinstated.",
            NotesForm,
            services.proposal_confirm,
            "Licence suspended ({record}).",
            danger=True,
        ),
        WorkflowAction(
            "dismiss",
            "Dismiss",
            "The licence stays active; the proposal is closed.",
            DismissForm,
            services.proposal_dismiss,
            "Proposal dismissed ({record}).",
        ),
    ]
}


def _licence_link(licence):
    return format_html('<a href="{}">{}</a>', reverse("admin:licensing_licence_change", args=[licence.pk]), licence)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", "Overdue"), ("0", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(is_overdue_now=self.value() == "1")
        return queryset


@admin.register(Obligation)
class ObligationAdmin(WorkflowActionsMixin, AuditHistoryMixin, admin.ModelAdmin):
    change_form_template = "admin/licensing/obligation/change_form.html"
    workflow = OBLIGATION
    workflow_actions = OBLIGATION_ACTIONS
    record_kwarg = "obligation"

    list_display = ["id", "licence", "kind", "due_on", "amount_usd", "status", "overdue"]
    list_filter = ["status", "kind", OverdueFilter]
    list_select_related = ["licence"]
    search_fields = ["licence__number"]
    search_help_text = "Search by licence number."
    show_full_result_count = False
    fields = [
        "licence_link",
        "kind",
        "basis",
        "percent",
        "amount_usd",
        "due_on",
        "description",
        "source",
        "status",
        "decision_reason",
        "submitted",
        "documents",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return with_overdue(Obligation.objects.restrict(request.user, "view")).prefetch_related(
            "submissions__submitted_by", "submissions__documents"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def state_sentence(self, request, obligation) -> str:
        overdue = " It is overdue." if obligation.is_overdue(timezone.localdate()) else ""
        return f"{obligation.get_status_display()}, due {obligation.due_on}.{overdue}"

    def action_summary(self, obligation) -> list[tuple[str, str]]:
        return [
            ("Licence", str(obligation.licence)),
            ("Obligation", obligation.description),
            ("Due", str(obligation.due_on)),
            ("Status", obligation.get_status_display()),
        ]

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, obligation):
        return obligation.is_overdue_now

    @admin.display(description="Licence")
    def licence_link(self, obligation):
        return _licence_link(obligation.licence)

    @admin.display(description="Submitted")
    def submitted(self, obligation):
        rows = [
            (
                f"{s.submitted_at:%Y-%m-%d %H:%M}",
                s.submitted_by.get_username(),
                s.text,
                s.reference,
                f"USD {s.amount_paid_usd:,.2f} paid" if s.amount_paid_usd is not None else "",
            )
            for s in obligation.submissions.all()
        ]
        if not rows:
            return "Nothing yet."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} by {}: {} {} {}</li>", rows))

    @admin.display(description="Documents")
    def documents(self, obligation):
        """Each report's files with their malware scan; a link once staff may open it (clean, or not scanned)."""
        items = []
        for submission in obligation.submissions.all():
            for document in submission.documents.all():
                name = (
                    format_html(
                        '<a href="{}" download>{}</a>', reverse("document-download", args=[document.pk]), document.name
                    )
                    if document.scan_status in OPENABLE
                    else document.name
                )
                items.append(
                    (
                        name,
                        document.get_scan_status_display(),
                        f"{submission.submitted_at:%Y-%m-%d}",
                        f"{document.size:,}",
                    )
                )
        if not items:
            return "None."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{} — malware scan: {} (submitted {}, {} bytes)</li>", items)
        )


class OpenFilter(admin.SimpleListFilter):
    """The queue shows the open proposals unless asked otherwise."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if (self.value() or "open") == "open":
            return queryset.filter(status=ProposalStatus.OPEN)
        return queryset


@admin.register(SuspensionProposal)
class SuspensionProposalAdmin(WorkflowActionsMixin, AuditHistoryMixin, admin.ModelAdmin):
    """The staff queue "Overdue obligations": proposals to suspend, raised by `mark_overdue_obligations`."""

    change_form_template = "admin/licensing/obligation/change_form.html"
    workflow = SUSPENSION_PROPOSAL
    workflow_actions = PROPOSAL_ACTIONS
    record_kwarg = "proposal"

    list_display = ["licence", "organisation", "obligation_text", "due_on", "raised_at", "status"]
    list_filter = [OpenFilter]
    list_select_related = ["licence__organisation", "obligation"]
    search_fields = ["licence__number", "licence__organisation__name"]
    search_help_text = "Search by licence number or exporter name."
    show_full_result_count = False
    fields = ["licence_link", "organisation", "obligation_text", "due_on", "status", "raised_at", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return SuspensionProposal.objects.restrict(request.user, "view").select_related(
            "licence__organisation", "obligation"
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Overdue obligations", **(extra_context or {})})

    def has_add_permission(self, request):
        return False  # raised by the daily command

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def state_sentence(self, request, proposal) -> str:
        if proposal.status == ProposalStatus.OPEN:
            return f"Proposed: suspend {proposal.licence} for an obligation overdue past the grace days."
        return f"{proposal.get_status_display()}: {proposal.reason}"

    def action_summary(self, proposal) -> list[tuple[str, str]]:
        return [
            ("Licence", str(proposal.licence)),
            ("Exporter", proposal.licence.organisation.name),
            ("Overdue", f"{proposal.obligation.description} (due {proposal.obligation.due_on})"),
        ]

    @admin.display(description="Licence")
    def licence_link(self, proposal):
        return _licence_link(proposal.licence)

    @admin.display(description="Exporter")
    def organisation(self, proposal):
        return proposal.licence.organisation.name

    @admin.display(description="Overdue obligation")
    def obligation_text(self, proposal):
        return f"{proposal.obligation.get_kind_display()}: {proposal.obligation.description}"

    @admin.display(description="Due", ordering="obligation__due_on")
    def due_on(self, proposal):
        return proposal.obligation.due_on
