"""Reference data in the admin: countries with their tier history (the policy regime: agreements.admin.policy)."""

from django.contrib import admin
from django.utils import timezone

from agreements import selectors, services
from agreements.models import Country, TierMembership
from portal.admin import AuditHistoryMixin


class TierMembershipInline(admin.TabularInline):
    model = TierMembership
    extra = 0
    fields = ["effective_from", "tier", "source", "created_at"]
    readonly_fields = ["created_at"]
    can_delete = False
    ordering = ["-effective_from"]

    def has_change_permission(self, request, obj=None):
        return False  # tier history is corrected by adding a dated row, never rewritten


@admin.register(Country)
class CountryAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["code", "name", "tier_today"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name"]
    inlines = [TierMembershipInline]

    def get_queryset(self, request):
        return selectors.countries_with_tier(timezone.localdate())

    @admin.display(description="Tier today", ordering="tier")
    def tier_today(self, country):
        return country.tier

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        for membership in formset.save(commit=False):
            services.tier_membership_set(
                actor=request.user,
                country=form.instance,
                tier=membership.tier,
                effective_from=membership.effective_from,
                source=membership.source,
            )
