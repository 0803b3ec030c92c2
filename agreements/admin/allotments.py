"""Allotments in the admin, read-only: capacity, what is committed and what is asked for, per country and period,
their append-only ledger, and the dashboard of allotment use per country. Nothing here writes."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from agreements import selectors
from agreements.admin.display import CountryFilter, percent, usage_bar, whole_h100e
from agreements.choices import AllotmentSource, PolicyKind
from agreements.models import Allotment, LedgerEntry
from agreements.selectors import AllotmentUsage
from agreements.units import tpp_and_h100e
from portal.admin import AuditHistoryMixin, ReadOnlyAdminMixin

USAGE_PERMISSION = "agreements.view_allotment_usage"


def in_h100e(heading: str) -> str:
    """A column heading with its unit on a second line, keeping the numeric columns narrow."""
    return format_html("{}<br>H100e", heading)


# Which allotments each regime draws on (SPEC § 3.2 step 6, § 3.3 step 7).
REGIME_SOURCE = {PolicyKind.TIERED: AllotmentSource.TIER_ALLOCATION, PolicyKind.GLOBAL: AllotmentSource.AGREEMENT}
SOURCE_HEADINGS = {
    AllotmentSource.TIER_ALLOCATION: "Tier 2 allocations",
    AllotmentSource.AGREEMENT: "Agreement allotments",
}


def usage_of(allotment: Allotment) -> AllotmentUsage:
    """The allotment's usage: computed for the whole page by the changelist, or here for one record."""
    usage = getattr(allotment, "_usage", None)
    if usage is None:
        usage = allotment._usage = selectors.allotment_usage([allotment])[0]
    return usage


def source_text(usage: AllotmentUsage) -> str:
    allotment = usage.allotment
    if allotment.source == AllotmentSource.AGREEMENT:
        return f"Agreement {allotment.agreement.reference}"
    return "Tier 2 allocation" + (" (uplifted: agreement in force)" if usage.uplifted else "")


def current_usage(source: str, at: datetime.datetime) -> list[AllotmentUsage]:
    """Per country, the allotment of `source` a determination at `at` would draw on, with its usage, most used
    first. A constant number of queries."""
    usage = selectors.allotment_usage(selectors.applicable_allotments(at, source=source), at)
    return sorted(usage, key=lambda u: (-percent(u.committed_tpp, u.capacity_tpp), u.allotment.country.name))


class CurrentPeriodFilter(admin.SimpleListFilter):
    title = "period"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("current", "Includes today"), ("past", "Ended"), ("future", "Not started yet")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.filter(period_start__lte=today, period_end__gte=today)
        if self.value() == "past":
            return queryset.filter(period_end__lt=today)
        if self.value() == "future":
            return queryset.filter(period_start__gt=today)
        return queryset


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    verbose_name_plural = "Ledger (append-only: reserves when licences are approved, releases of unshipped parts)"
    extra = 0
    fields = ["created_at", "kind", "amount", "consignee", "reference", "actor"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="Amount")
    def amount(self, entry):
        return tpp_and_h100e(entry.tpp)


@admin.register(Allotment)
class AllotmentAdmin(AuditHistoryMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["country", "source_label", "period", "capacity", "committed", "remaining", "use", "pending"]
    list_filter = ["source", CurrentPeriodFilter, ("country", CountryFilter)]
    list_select_related = ["country", "agreement"]
    search_fields = ["country__name", "=country__code", "agreement__reference"]
    show_full_result_count = False
    fields = [
        "country",
        "source_label",
        "agreement",
        "terms_version",
        "period",
        "capacity_detail",
        "committed_detail",
        "remaining_detail",
        "pending_detail",
        "use",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [LedgerEntryInline]

    def get_queryset(self, request):
        queryset = Allotment.objects.restrict(request.user, "view").select_related("country", "agreement")
        return queryset.select_related("terms").order_by(*(self.get_ordering(request) or Allotment._meta.ordering))

    def get_changelist_instance(self, request):
        """Work out the usage of the whole page at once (agreements.selectors.allotment_usage)."""
        changelist = super().get_changelist_instance(request)
        for usage in selectors.allotment_usage(list(changelist.result_list)):  # evaluates and caches the page
            usage.allotment._usage = usage
        return changelist

    @admin.display(description="Source", ordering="source")
    def source_label(self, allotment):
        return source_text(usage_of(allotment))

    @admin.display(description="Period", ordering="period_start")
    def period(self, allotment):
        return f"{allotment.period_start} – {allotment.period_end}"

    @admin.display(description=in_h100e("Capacity"))
    def capacity(self, allotment):
        return whole_h100e(usage_of(allotment).capacity_tpp)

    @admin.display(description=in_h100e("Committed"), ordering="committed_tpp")
    def committed(self, allotment):
        return whole_h100e(usage_of(allotment).committed_tpp)

    @admin.display(description=in_h100e("Remaining"))
    def remaining(self, allotment):
        return whole_h100e(usage_of(allotment).remaining_tpp)

    @admin.display(description=format_html("{}<br>{}", "Use", "pending hatched"))
    def use(self, allotment):
        usage = usage_of(allotment)
        return usage_bar(
            capacity_tpp=usage.capacity_tpp, committed_tpp=usage.committed_tpp, pending_tpp=usage.pending_tpp
        )

    @admin.display(description=in_h100e("Pending demand"))
    def pending(self, allotment):
        return whole_h100e(usage_of(allotment).pending_tpp)

    @admin.display(description="Terms version")
    def terms_version(self, allotment):
        if allotment.terms is None:
            return "—"
        return f"Version {allotment.terms.version}, effective {allotment.terms.effective_from}"

    @admin.display(description="Capacity")
    def capacity_detail(self, allotment):
        usage = usage_of(allotment)
        if usage.uplifted:
            return f"{tpp_and_h100e(usage.capacity_tpp)}, uplifted from {tpp_and_h100e(allotment.capacity_tpp)}"
        return tpp_and_h100e(usage.capacity_tpp)

    @admin.display(description="Committed")
    def committed_detail(self, allotment):
        return tpp_and_h100e(usage_of(allotment).committed_tpp)

    @admin.display(description="Remaining")
    def remaining_detail(self, allotment):
        return tpp_and_h100e(usage_of(allotment).remaining_tpp)

    @admin.display(description="Pending demand")
    def pending_detail(self, allotment):
        return tpp_and_h100e(usage_of(allotment).pending_tpp)

    # The dashboard

    def get_urls(self):
        dashboard = path(
            "dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="agreements_allotment_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request):
        """Allotment use per country for the period containing today, most used first."""
        if not request.user.has_perm(USAGE_PERMISSION):
            raise PermissionDenied
        now = timezone.now()
        policy = selectors.policy_in_force(now)
        regime_source = REGIME_SOURCE[policy.kind]
        source = request.GET.get("source")
        if source not in AllotmentSource.values:
            source = regime_source
        usages = current_usage(source, now)
        rows = [self._dashboard_row(usage) for usage in usages]
        totals = {
            name: whole_h100e(sum(getattr(u, f"{name}_tpp") for u in usages))
            for name in ("capacity", "committed", "pending", "remaining")
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Allotment use per country",
            "today": now.date(),
            "policy": policy,
            "source": source,
            "source_label": SOURCE_HEADINGS[source],
            "regime_source": regime_source,
            "sources": [
                {"value": value, "label": label, "applies": value == regime_source, "current": value == source}
                for value, label in SOURCE_HEADINGS.items()
            ],
            "rows": rows,
            "totals": totals,
            "changelist_url": reverse("admin:agreements_allotment_changelist", current_app=self.admin_site.name),
        }
        return TemplateResponse(request, "admin/agreements/allotment/dashboard.html", context)

    def _dashboard_row(self, usage: AllotmentUsage) -> dict:
        allotment = usage.allotment
        agreement_url = (
            reverse(
                "admin:agreements_agreement_change", args=[allotment.agreement_id], current_app=self.admin_site.name
            )
            if allotment.agreement_id
            else None
        )
        return {
            "country": allotment.country,
            "url": reverse("admin:agreements_allotment_change", args=[allotment.pk], current_app=self.admin_site.name),
            "source": source_text(usage),
            "agreement_url": agreement_url,
            "period": f"{allotment.period_start} – {allotment.period_end}",
            "capacity": whole_h100e(usage.capacity_tpp),
            "committed": whole_h100e(usage.committed_tpp),
            "pending": whole_h100e(usage.pending_tpp),
            "remaining": whole_h100e(usage.remaining_tpp),
            "capacity_tpp": usage.capacity_tpp,
            "committed_tpp": usage.committed_tpp,
            "pending_tpp": usage.pending_tpp,
            "remaining_tpp": usage.remaining_tpp,
            "used_percent": f"{percent(usage.committed_tpp, usage.capacity_tpp):.0f}",
            "bar": usage_bar(
                capacity_tpp=usage.capacity_tpp, committed_tpp=usage.committed_tpp, pending_tpp=usage.pending_tpp
            ),
        }


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "allotment", "kind", "amount", "consignee", "reference", "actor"]
    list_filter = ["kind", "allotment__source"]
    list_select_related = ["allotment", "actor"]
    search_fields = ["reference", "consignee", "allotment__country__name", "=allotment__country__code"]
    show_full_result_count = False

    @admin.display(description="Amount", ordering="tpp")
    def amount(self, entry):
        return tpp_and_h100e(entry.tpp)
