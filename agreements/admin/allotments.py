"""Allotments in the admin, read-only: capacity and what is committed, per country and period, and their
append-only ledger. Nothing here writes.

What is asked for (pending demand) is licensing's figure: licensing.admin.policy_side registers a subclass of
AllotmentAdmin that passes it in, and adds the dashboard of allotment use per country."""

import datetime
from collections.abc import Mapping

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from agreements import selectors
from agreements.admin.display import CountryFilter, usage_bar, whole_h100e
from agreements.choices import AllotmentSource, PolicyKind
from agreements.models import Allotment, LedgerEntry
from agreements.selectors import AllotmentUsage
from agreements.units import tpp_and_h100e
from portal.admin import AuditHistoryMixin, ReadOnlyAdminMixin

USAGE_PERMISSION = "agreements.view_allotment_usage"


def in_h100e(heading: str) -> str:
    """A column heading with its unit on a second line, keeping the numeric columns narrow."""
    return format_html("{}<br>H100e", heading)


# Which allotments each regime draws on (SPEC § 3.2 step 8, § 3.3 step 5, § 3.4 step 8).
REGIME_SOURCE = {
    PolicyKind.TIERED: AllotmentSource.TIER_ALLOCATION,
    PolicyKind.BASELINE: AllotmentSource.AGREEMENT,  # § 3.3 step 5: an agreement's allotment where one applies
    PolicyKind.GLOBAL: AllotmentSource.AGREEMENT,
}
SOURCE_HEADINGS = {
    AllotmentSource.TIER_ALLOCATION: "Tier 2 allocations",
    AllotmentSource.AGREEMENT: "Agreement allotments",
}


def source_text(usage: AllotmentUsage) -> str:
    allotment = usage.allotment
    if allotment.source == AllotmentSource.AGREEMENT:
        return f"Agreement {allotment.agreement.reference}"
    return "Tier 2 allocation" + (" (uplifted: agreement in force)" if usage.uplifted else "")


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
    list_display = ["country", "source_label", "period", "capacity", "committed", "remaining", "use"]
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
        "use",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [LedgerEntryInline]

    def get_queryset(self, request):
        queryset = Allotment.objects.restrict(request.user, "view").select_related("country", "agreement")
        return queryset.select_related("terms").order_by(*(self.get_ordering(request) or Allotment._meta.ordering))

    # Pending demand is licensing's figure: this admin shows none of it (see the module's docstring).

    def pending_demand(self, allotment_ids: list[int]) -> Mapping[int, int] | None:
        """TPP asked for by undecided applications per allotment, or None where this admin does not know it."""
        return None

    def usage_of_many(self, allotments: list[Allotment], at: datetime.datetime | None = None) -> list[AllotmentUsage]:
        pending = self.pending_demand([allotment.pk for allotment in allotments])
        return selectors.allotment_usage(allotments, at, pending=pending)

    def usage_of(self, allotment: Allotment) -> AllotmentUsage:
        """The allotment's usage: computed for the whole page by the changelist, or here for one record."""
        usage = getattr(allotment, "_usage", None)
        if usage is None:
            usage = allotment._usage = self.usage_of_many([allotment])[0]
        return usage

    def get_changelist_instance(self, request):
        """Work out the usage of the whole page at once (agreements.selectors.allotment_usage)."""
        changelist = super().get_changelist_instance(request)
        for usage in self.usage_of_many(list(changelist.result_list)):  # evaluates and caches the page
            usage.allotment._usage = usage
        return changelist

    @admin.display(description="Source", ordering="source")
    def source_label(self, allotment):
        return source_text(self.usage_of(allotment))

    @admin.display(description="Period", ordering="period_start")
    def period(self, allotment):
        return f"{allotment.period_start} – {allotment.period_end}"

    @admin.display(description=in_h100e("Capacity"))
    def capacity(self, allotment):
        return whole_h100e(self.usage_of(allotment).capacity_tpp)

    @admin.display(description=in_h100e("Committed"), ordering="committed_tpp")
    def committed(self, allotment):
        return whole_h100e(self.usage_of(allotment).committed_tpp)

    @admin.display(description=in_h100e("Remaining"))
    def remaining(self, allotment):
        return whole_h100e(self.usage_of(allotment).remaining_tpp)

    @admin.display(description=format_html("{}<br>{}", "Use", "pending hatched"))
    def use(self, allotment):
        usage = self.usage_of(allotment)
        return usage_bar(
            capacity_tpp=usage.capacity_tpp, committed_tpp=usage.committed_tpp, pending_tpp=usage.pending_tpp or 0
        )

    @admin.display(description="Terms version")
    def terms_version(self, allotment):
        if allotment.terms is None:
            return "—"
        return f"Version {allotment.terms.version}, effective {allotment.terms.effective_from}"

    @admin.display(description="Capacity")
    def capacity_detail(self, allotment):
        usage = self.usage_of(allotment)
        if usage.uplifted:
            return f"{tpp_and_h100e(usage.capacity_tpp)}, uplifted from {tpp_and_h100e(allotment.capacity_tpp)}"
        return tpp_and_h100e(usage.capacity_tpp)

    @admin.display(description="Committed")
    def committed_detail(self, allotment):
        return tpp_and_h100e(self.usage_of(allotment).committed_tpp)

    @admin.display(description="Remaining")
    def remaining_detail(self, allotment):
        return tpp_and_h100e(self.usage_of(allotment).remaining_tpp)


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
