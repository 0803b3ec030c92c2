"""Reference data in the admin: countries with their tier history, and the policy regime."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from agreements import selectors, services
from agreements.admin.display import add_service_error
from agreements.admin.service_form import ServiceFormMixin
from agreements.models import Country, Policy, TierMembership
from portal.admin import AuditHistoryMixin
from portal.refusals import REFUSALS


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


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["kind", "effective_from", "reason", *selectors.POLICY_PARAMETERS]

    def clean_size_bands(self):
        return services.validate_size_bands(self.cleaned_data["size_bands"])

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        if effective_from and effective_from < timezone.now() - datetime.timedelta(minutes=1):
            raise ValidationError("A policy takes effect now or later, never in the past.")
        return effective_from


@admin.register(Policy)
class PolicyAdmin(ServiceFormMixin, AuditHistoryMixin, admin.ModelAdmin):
    form = PolicyForm
    list_display = ["effective_from", "kind", "lpp_threshold_tpp", "tier2_allocation_tpp", "set_by"]
    list_select_related = ["set_by"]
    list_filter = ["kind"]

    def get_changeform_initial_data(self, request):
        current = selectors.policy_in_force()
        initial = {name: getattr(current, name) for name in selectors.POLICY_PARAMETERS}
        return {**initial, "effective_from": timezone.now(), "kind": current.kind}

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.has_perm("agreements.switch_policy")

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """A switch takes two steps: the form, then a confirmation page showing what it would do to every
        pending application (current and proposed determination); only the confirmation calls the service.
        A refusal comes back on the form; nothing is written."""
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.get_form(request)(request.POST)
        if form.is_valid() and "confirm" not in request.POST:
            return self._confirmation(request, form)
        if form.is_valid():
            try:
                services.policy_switch(actor=request.user, **self._switch_arguments(form))
            except REFUSALS as refusal:
                add_service_error(form, refusal)
            else:
                messages.success(request, f"The {form.cleaned_data['kind']} regime takes effect as scheduled.")
                return redirect("admin:agreements_policy_changelist")
        return self.form_page(request, form, None, None, form_url, extra_context)

    @staticmethod
    def _switch_arguments(form) -> dict:
        data = form.cleaned_data
        return {
            "kind": data["kind"],
            "reason": data["reason"],
            "effective_from": data["effective_from"],
            **{name: data[name] for name in selectors.POLICY_PARAMETERS},
        }

    def switch_impact(self, proposal: Policy) -> list[dict] | None:
        """Each pending application with its determination now and under `proposal`, or None where this admin
        does not know them: pending applications are licensing's (licensing.admin.policy_side passes them in)."""
        return None

    def _confirmation(self, request, form):
        arguments = self._switch_arguments(form)
        arguments.pop("reason"), arguments.pop("effective_from")
        current = selectors.policy_in_force()
        proposal = services.proposed_policy(base=current, **arguments)
        rows = self.switch_impact(proposal)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Confirm the policy switch",
            "form": form,
            "current": current,
            "proposal": proposal,
            "effective_from": form.cleaned_data["effective_from"],
            "rows": rows,
            "changed": None if rows is None else sum(1 for row in rows if row["changed"]),
        }
        return TemplateResponse(request, "admin/agreements/policy/confirm_switch.html", context)
