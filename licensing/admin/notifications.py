"""LPP notifications: low-volume exports notified instead of licensed. Staff read them; nobody changes them."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets

from agreements.units import tpp_and_h100e
from licensing.admin import display
from licensing.admin.filters import InScopeRelatedFilter
from licensing.models import LppNotification, LppNotificationLine
from licensing.vocabulary import words
from portal.admin import AuditHistoryMixin, ReadOnlyAdminMixin
from portal.admin_csv import export_csv
from portal.display import when

FIELDSETS = [
    (
        "Notification",
        {
            "fields": [
                ("consignee", "destination_display"),
                ("organisation_name", "year"),
                ("total", "filed"),
                "end_user_hq_display",
                "lines_table",
                "determination_display",
            ],
            "description": "A low-volume export under licence exception LPP: notified, never licensed, and never "
            "drawn on a country's allotment.",
        },
    ),
]


@admin.register(LppNotification)
class LppNotificationAdmin(ReadOnlyAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["__str__", "consignee", "destination", "year", "total_h100e", "organisation", "created_at"]
    actions = [export_csv]
    list_filter = ["year", ("destination", InScopeRelatedFilter)]
    list_select_related = ["organisation", "destination"]
    search_fields = ["consignee", "organisation__name"]
    search_help_text = "Search by consignee or exporter name."
    show_full_result_count = False
    fieldsets = FIELDSETS
    readonly_fields = flatten_fieldsets(FIELDSETS)

    def get_queryset(self, request):
        # Every relation the list shows too: a queryset with select_related() of its own makes Django skip
        # list_select_related, and the list then read each row's destination and exporter (2 queries a row).
        queryset = LppNotification.objects.restrict(request.user, "view").select_related(
            "submitted_by", *self.list_select_related
        )
        return queryset.order_by(*(self.get_ordering(request) or LppNotification._meta.ordering))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "LPP notifications", **(extra_context or {})})

    @admin.display(description="Total H100e", ordering="total_tpp")
    def total_h100e(self, notification):
        return display.h100e_text(notification.total_tpp)

    @admin.display(description="Total")
    def total(self, notification):
        return tpp_and_h100e(notification.total_tpp)

    @admin.display(description="Destination")
    def destination_display(self, notification):
        return str(notification.destination)

    @admin.display(description="Exporter")
    def organisation_name(self, notification):
        return notification.organisation.name

    @admin.display(description="Filed")
    def filed(self, notification):
        return f"{when(notification.created_at)} by {notification.submitted_by.get_username()}"

    @admin.display(description="End users' headquarters")
    def end_user_hq_display(self, notification):
        return ", ".join(notification.end_user_hq) or "—"

    @admin.display(description="Items")
    def lines_table(self, notification):
        lines = LppNotificationLine.objects.filter(notification=notification).select_related("product__chip")
        rows = [
            (str(line.product), f"{line.quantity:,}", display.h100e_text(line.quantity * line.product.tpp))
            for line in lines
        ]
        return display.table(["Product", "Quantity", "H100e"], rows, "No items.")

    @admin.display(description="Determination when filed")
    def determination_display(self, notification):
        result = notification.determination or {}
        reasons = [f"{reason['text']} [{words(reason['rule'], 'rule')}]" for reason in result.get("reasons") or []]
        return display.bullet_list([words(result.get("outcome"), "outcome"), *reasons])
