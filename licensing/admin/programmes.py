"""Licence-review programmes in the admin (SPEC § 5, staff): each with its versions and the cases filed under
it. Read-only here: a programme changes only as a new version through licensing.services.programmes (the API's
PATCH /api/v1/programmes/{id}/), so its history stays as it was. US-sales reports are read-only too."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from licensing.models import Application, Programme, ProgrammeVersion, UsSalesReport
from portal.admin import AuditHistoryMixin
from portal.permissions import allowed


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgrammeVersionInline(_ReadOnly, admin.TabularInline):
    model = ProgrammeVersion
    extra = 0
    can_delete = False
    fields = [
        "version",
        "effective_from",
        "effective_until",
        "destinations",
        "criteria",
        "presumption",
        "exports_from_us_only",
        "brings_into_scope",
        "certification_texts",
        "conditions",
        "shipment_evidence",
        "us_volume_ratio_percent",
        "levy",
        "per_customer_cap_units",
        "cases",
        "notes",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("named_products", "certifications")
            .annotate(case_count=Count("applications"))
        )

    @admin.display(description="Product criteria (on the chip)")
    def criteria(self, version):
        parts = [str(product) for product in version.named_products.all()]
        bounds = []
        if version.min_tpp is not None:
            bounds.append(f"TPP ≥ {version.min_tpp:,}")
        if version.max_tpp is not None:
            bounds.append(f"TPP < {version.max_tpp:,}")
        if version.max_dram_bandwidth_gbps is not None:
            bounds.append(f"DRAM < {version.max_dram_bandwidth_gbps:,} GB/s")
        if version.min_dram_bandwidth_gbps is not None:
            bounds.append(f"DRAM ≥ {version.min_dram_bandwidth_gbps:,} GB/s")
        if bounds:
            parts.append(" and ".join(bounds))
        return " or ".join(parts) or "every chip"

    @admin.display(description="Certifications")
    def certification_texts(self, version):
        return format_html_join("", "<p><b>{}</b>: {}</p>", ((c.code, c.text) for c in version.certifications.all()))

    @admin.display(description="Revenue share or duty")
    def levy(self, version):
        return "—" if version.levy_percent is None else f"{version.levy_percent} % ({version.get_levy_basis_display()})"

    @admin.display(description="Cases")
    def cases(self, version):
        url = reverse("admin:licensing_application_changelist") + f"?programme={version.programme_id}&status=all"
        return format_html('<a href="{}">{} case(s)</a>', url, version.case_count)


@admin.register(Programme)
class ProgrammeAdmin(_ReadOnly, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "citation", "in_force", "cases"]
    search_fields = ["name", "citation"]
    fields = ["name", "citation", "source"]
    readonly_fields = fields
    inlines = [ProgrammeVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("versions")
            .annotate(case_count=Count("versions__applications"))
        )

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, "licensing.view_programme")

    @admin.display(description="Versions")
    def in_force(self, programme):
        return ", ".join(
            f"v{v.version} from {v.effective_from}" + (f" to {v.effective_until}" if v.effective_until else "")
            for v in programme.versions.all()
        )

    @admin.display(description="Cases")
    def cases(self, programme):
        url = reverse("admin:licensing_application_changelist") + f"?programme={programme.pk}&status=all"
        return format_html('<a href="{}">{}</a>', url, programme.case_count)


@admin.register(UsSalesReport)
class UsSalesReportAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["organisation", "product", "period", "units", "attested_by", "attested_at"]
    list_filter = ["year", "quarter"]
    list_select_related = ["organisation", "product", "attested_by"]
    search_fields = ["organisation__name", "product__name"]

    def get_queryset(self, request):
        return UsSalesReport.objects.restrict(request.user, "view")


class ProgrammeFilter(admin.SimpleListFilter):
    """The staff queue by the licence-review programme that applied at submission."""

    title = "programme"
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Programme.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(programme_version__programme_id=self.value())
        return queryset


__all__ = ["Application", "ProgrammeFilter"]
