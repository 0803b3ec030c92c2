"""Licences after issue: read-only pages with lines and shipments, and the approving official's suspend,
reinstate and revoke (licensing.services, as in the API). Revocation releases the unshipped quota."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html

from agreements.units import tpp_and_h100e
from licensing import services
from licensing.admin import display
from licensing.admin.documents import CaseDocumentsMixin
from licensing.admin.filters import InScopeRelatedFilter
from licensing.admin.forms import LicenceReasonForm
from licensing.choices import LicenceStatus
from licensing.models import Licence, LicenceLine, Shipment, ShipmentLine
from licensing.workflow import LICENCE
from portal.admin import AuditHistoryMixin, ReadOnlyAdminMixin
from portal.admin_csv import export_csv
from portal.admin_workflow import WorkflowAction, WorkflowActionsMixin
from portal.display import when

ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction(
            "suspend",
            "Suspend",
            "The licence takes no shipments until it is reinstated.",
            LicenceReasonForm,
            services.licence_suspend,
            "Licence {record} suspended.",
        ),
        WorkflowAction(
            "reinstate",
            "Reinstate",
            "The licence takes shipments again until its validity ends.",
            LicenceReasonForm,
            services.licence_reinstate,
            "Licence {record} reinstated.",
        ),
        WorkflowAction(
            "revoke",
            "Revoke",
            "Final: the licence ends now and its unshipped quantity goes back to the allotment.",
            LicenceReasonForm,
            services.licence_revoke,
            "Licence {record} revoked; its unshipped quota is released.",
            danger=True,
            confirm="Revoke it? The licence ends for good and its unshipped quota is released.",
        ),
    ]
}

FIELDSETS = [
    (
        "Licence",
        {
            "fields": [
                ("number", "status"),
                ("application_link", "organisation_name"),
                ("destination_display", "validity"),
                "status_reason",
                "conditions_list",
                ("issued", "reservation"),
            ]
        },
    ),
]


class LicenceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LicenceLine
    verbose_name = "line"
    verbose_name_plural = "Lines: approved, shipped and remaining"
    extra = 0
    fields = ["product_name", "unit_tpp_display", "approved", "shipped", "remaining", "remaining_h100e"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    @admin.display(description="Product")
    def product_name(self, line):
        return str(line.product)

    @admin.display(description="TPP per unit")
    def unit_tpp_display(self, line):
        return f"{line.unit_tpp:,}"

    @admin.display(description="Approved")
    def approved(self, line):
        return f"{line.approved_quantity:,}"

    @admin.display(description="Shipped")
    def shipped(self, line):
        return f"{line.shipped_quantity:,}"

    @admin.display(description="Remaining")
    def remaining(self, line):
        return f"{line.remaining_quantity:,}"

    @admin.display(description="Remaining H100e")
    def remaining_h100e(self, line):
        return display.h100e_text(line.remaining_quantity * line.unit_tpp)


class ShipmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Shipment
    verbose_name_plural = "Shipments reported by the exporter"
    extra = 0
    fields = ["shipped_on", "items", "reporter", "reported"]
    readonly_fields = fields

    def get_queryset(self, request):
        lines = ShipmentLine.objects.select_related("licence_line__product")
        return super().get_queryset(request).select_related("reported_by").prefetch_related(Prefetch("lines", lines))

    @admin.display(description="Items")
    def items(self, shipment):
        return ", ".join(f"{line.quantity:,} × {line.licence_line.product}" for line in shipment.lines.all()) or "—"

    @admin.display(description="Reported by")
    def reporter(self, shipment):
        return shipment.reported_by.get_username()

    @admin.display(description="Reported")
    def reported(self, shipment):
        return when(shipment.reported_at)


@admin.register(Licence)
class LicenceAdmin(CaseDocumentsMixin, WorkflowActionsMixin, AuditHistoryMixin, admin.ModelAdmin):
    change_form_template = "admin/licensing/licence/change_form.html"
    workflow = LICENCE
    workflow_actions = ACTIONS
    record_kwarg = "licence"

    list_display = ["number", "organisation", "destination", "status", "valid_until", "shipped_of_approved"]
    actions = [export_csv]
    list_filter = ["status", ("application__destination", InScopeRelatedFilter)]
    list_select_related = ["organisation", "application__destination"]
    search_fields = ["number", "application__acn", "organisation__name"]
    search_help_text = "Search by licence number, application control number (ACN) or exporter name."
    show_full_result_count = False
    fieldsets = FIELDSETS
    readonly_fields = flatten_fieldsets(FIELDSETS)
    inlines = [LicenceLineInline, ShipmentInline]

    def get_queryset(self, request):
        lines = LicenceLine.objects.order_by("id")
        queryset = Licence.objects.restrict(request.user, "view").prefetch_related(Prefetch("lines", queryset=lines))
        return queryset.order_by(*(self.get_ordering(request) or Licence._meta.ordering))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Licences", **(extra_context or {})})

    def has_add_permission(self, request):
        return False  # a licence is issued only by approving its application

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def state_sentence(self, request, licence) -> str:
        shipped = f"{self.shipped_of_approved(licence)} units shipped"
        if licence.status == LicenceStatus.ACTIVE:
            return f"Active, valid {licence.valid_from} to {licence.valid_until}; {shipped}."
        reason = f" ({licence.status_reason})" if licence.status_reason else ""
        if licence.status == LicenceStatus.SUSPENDED:
            return f"Suspended{reason}: it takes no shipments until reinstated; {shipped}."
        return f"{licence.get_status_display()}{reason}; {shipped}. The licence is closed and its record is read-only."

    def action_summary(self, licence) -> list[tuple[str, str]]:
        return [
            ("Licence", licence.number),
            ("Exporter", licence.organisation.name),
            ("Destination", str(licence.application.destination)),
            ("Status", licence.get_status_display()),
            ("Valid", f"{licence.valid_from} to {licence.valid_until}"),
            ("Shipped", self.shipped_of_approved(licence)),
        ]

    @admin.display(description="Destination", ordering="application__destination__name")
    def destination(self, licence):
        return str(licence.application.destination)

    @admin.display(description="Shipped / approved (units)")
    def shipped_of_approved(self, licence):
        lines = licence.lines.all()
        shipped = sum(line.shipped_quantity for line in lines)
        approved = sum(line.approved_quantity for line in lines)
        return f"{shipped:,} / {approved:,}"

    @admin.display(description="Application")
    def application_link(self, licence):
        url = reverse("admin:licensing_application_change", args=[licence.application_id])
        return format_html('<a href="{}">{}</a>', url, licence.application)

    @admin.display(description="Exporter")
    def organisation_name(self, licence):
        return licence.organisation.name

    @admin.display(description="Destination")
    def destination_display(self, licence):
        return str(licence.application.destination)

    @admin.display(description="Valid")
    def validity(self, licence):
        return f"{licence.valid_from} to {licence.valid_until}"

    @admin.display(description="Conditions")
    def conditions_list(self, licence):
        return display.bullet_list(licence.conditions)

    @admin.display(description="Issued")
    def issued(self, licence):
        return f"{when(licence.issued_at)} by {licence.issued_by.get_username()}"

    @admin.display(description="Drawn from the allotment")
    def reservation(self, licence):
        if licence.allotment_id is None:
            return "Nothing (no allotment applies)."
        return f"{tpp_and_h100e(licence.reserved_tpp)} from allotment #{licence.allotment_id}"
