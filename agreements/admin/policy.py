"""The policy regime in the admin: a switch takes two people (SPEC § 4 v2). A policy administrator fills in the
form, sees its impact on a confirmation page and proposes it; the proposal's page shows its impact again and offers
Approve (to any other policy administrator) and Withdraw. Every step calls agreements.services, as the API does."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from agreements import selectors, services
from agreements.admin.display import add_service_error
from agreements.admin.service_form import ServiceFormMixin
from agreements.choices import PolicyStatus
from agreements.models import Policy
from agreements.workflow import POLICY, SWITCH_POLICY
from portal.admin import AuditHistoryMixin
from portal.admin_widgets import LabelledSplitDateTime
from portal.permissions import allowed
from portal.refusals import REFUSALS, refusal_text

BANDS = 3  # the global regime's installation bands (SPEC § 3.4): exactly three, each a row of the form


class GroupedNumberInput(forms.TextInput):
    """A whole number shown with thousands separators (790,000,000); typed with or without them."""

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class GroupedIntegerField(forms.IntegerField):
    widget = GroupedNumberInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("_", "").replace(" ", "")
        return super().to_python(value)


# How the proposal page words its two acts (the same "What you can do now" look as every workflow panel).
PROPOSAL_OFFERS = {
    "approve": {
        "help": "The second policy administrator's approval: the regime switches from its instant.",
        "confirm": "Approve the switch? It takes effect from its instant and cannot be undone; "
        "only a new proposal can switch back.",
    },
    "withdraw": {
        "help": "The proposal is closed and never takes effect; it stays on record.",
        "confirm": "Withdraw this proposal? It cannot be reopened.",
    },
}


class PolicyForm(forms.ModelForm):
    """A proposed switch. "Effective from" left empty means from the approval; the size bands are three rows."""

    lpp_threshold_tpp = GroupedIntegerField(min_value=0)
    tier2_allocation_tpp = GroupedIntegerField(min_value=0)
    licence_validity_days = GroupedIntegerField(min_value=1)
    grace_days = GroupedIntegerField(min_value=0)
    revenue_share_due_days = GroupedIntegerField(min_value=0)
    # The three installation bands, a row each (declared here so that the admin knows them as form fields)
    band_1_h100e = GroupedIntegerField(min_value=1, label="Band 1: from (H100e installed)")
    band_1_condition = forms.CharField(label="Band 1: condition", widget=forms.TextInput(attrs={"size": 70}))
    band_2_h100e = GroupedIntegerField(min_value=1, label="Band 2: from (H100e installed)")
    band_2_condition = forms.CharField(label="Band 2: condition", widget=forms.TextInput(attrs={"size": 70}))
    band_3_h100e = GroupedIntegerField(min_value=1, label="Band 3: from (H100e installed)")
    band_3_condition = forms.CharField(label="Band 3: condition", widget=forms.TextInput(attrs={"size": 70}))

    class Meta:
        model = Policy
        fields = [
            "kind",
            "effective_from",
            "reason",
            *(name for name in selectors.POLICY_PARAMETERS if name != "size_bands"),
        ]
        labels = {**selectors.POLICY_LABELS, "effective_from": "Effective from (UTC)"}
        help_texts = {
            "effective_from": "Leave empty: in force from the moment another policy administrator approves it. "
            "A typed instant is kept if it is still ahead at approval (else the approval's instant applies).",
            "reason": "Recorded with the proposal and shown to the approver.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = ("lpp_threshold_tpp", "tier2_allocation_tpp", "licence_validity_days", "grace_days")
        for name in (*numbers, "revenue_share_due_days"):
            self.fields[name].label = selectors.POLICY_LABELS[name]
        self.fields["effective_from"].required = False
        self.fields["effective_from"].widget = LabelledSplitDateTime(label="Effective from")

    def clean_effective_from(self):
        effective_from = self.cleaned_data["effective_from"]
        if effective_from and effective_from < timezone.now() - datetime.timedelta(minutes=1):
            raise ValidationError("A policy takes effect now or later, never in the past.")
        return effective_from

    def clean(self):
        cleaned = super().clean()
        names = [(f"band_{n}_h100e", f"band_{n}_condition") for n in range(1, BANDS + 1)]
        if all(h in cleaned and c in cleaned for h, c in names):
            bands = [{"h100e": cleaned[h], "condition": cleaned[c]} for h, c in names]
            try:
                cleaned["size_bands"] = services.validate_size_bands(bands)
            except ValidationError as exc:
                self.add_error(None, exc.message_dict["size_bands"])
        return cleaned

    @staticmethod
    def band_initial(bands: list[dict]) -> dict:
        initial = {}
        for number, band in enumerate(bands[:BANDS], start=1):
            initial[f"band_{number}_h100e"] = band["h100e"]
            initial[f"band_{number}_condition"] = band["condition"]
        return initial


def grouped(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


@admin.register(Policy)
class PolicyAdmin(ServiceFormMixin, AuditHistoryMixin, admin.ModelAdmin):
    form = PolicyForm
    list_display = ["__str__", "status", "kind", "proposed_instant", "effective_from", "lpp", "allocation", "set_by"]
    list_display_links = ["__str__"]
    list_select_related = ["set_by"]
    list_filter = ["status", "kind"]

    def get_fieldsets(self, request, obj=None):
        bands = [(f"band_{n}_h100e", f"band_{n}_condition") for n in range(1, BANDS + 1)]
        return [
            (None, {"fields": ["kind", "effective_from", "reason"]}),
            (
                "LPP and the Tier 2 allocation",
                {
                    "fields": [
                        "lpp_threshold_tpp",
                        "tier2_allocation_tpp",
                        ("tier2_period_start", "tier2_period_end"),
                        "g2g_uplift",
                    ]
                },
            ),
            ("Licences and obligations", {"fields": ["licence_validity_days", "grace_days", "revenue_share_due_days"]}),
            ("Installation size bands (global regime)", {"fields": bands}),
        ]

    @admin.display(description="Proposed from")
    def proposed_instant(self, policy):
        return policy.proposed_from or "on approval"

    @admin.display(description="LPP threshold (TPP)")
    def lpp(self, policy):
        return grouped(policy.lpp_threshold_tpp)

    @admin.display(description="Tier 2 allocation (TPP)")
    def allocation(self, policy):
        return grouped(policy.tier2_allocation_tpp)

    def get_changeform_initial_data(self, request):
        current = selectors.policy_in_force()
        initial = {name: getattr(current, name) for name in selectors.POLICY_PARAMETERS if name != "size_bands"}
        return {**initial, **PolicyForm.band_initial(current.size_bands), "kind": current.kind}

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return allowed(request.user, SWITCH_POLICY)

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """A proposal takes two steps: the form, then a confirmation page showing what it would do to every
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
                policy = services.policy_propose(actor=request.user, **self._switch_arguments(form))
            except REFUSALS as refusal:
                add_service_error(form, refusal)
            else:
                messages.success(
                    request,
                    f"Proposed: the {policy.kind} regime. Another policy administrator must approve it before it "
                    "takes effect.",
                )
                return redirect("admin:agreements_policy_change", policy.pk)
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

    def switch_impact(self, request, proposal: Policy) -> dict | None:
        """The impact on every pending application — the summary (`pending`, `changed`, `changes`,
        `destinations`), a page of rows (`rows`, `page`) and `csv_url` — or None where this admin does not know
        them: pending applications are licensing's (licensing.admin.policy_side passes them in)."""
        return None

    def _impact_context(self, request, proposal: Policy) -> dict:
        current = selectors.policy_in_force()
        return {
            "current": current,
            "proposal": proposal,
            "differences": [
                {**row, "current": grouped(row["current"]), "proposed": grouped(row["proposed"])}
                for row in selectors.policy_differences(current, proposal)
                if row["parameter"] != "size_bands"
            ],
            "bands": list(zip(current.size_bands, proposal.size_bands, strict=False)),
            "impact": self.switch_impact(request, proposal),
        }

    def _confirmation(self, request, form):
        arguments = self._switch_arguments(form)
        arguments.pop("reason"), arguments.pop("effective_from")
        proposal = services.proposed_policy(base=selectors.policy_in_force(), **arguments)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Propose the policy switch",
            "form": form,
            "effective_from": form.cleaned_data["effective_from"],
            **self._impact_context(request, proposal),
        }
        return TemplateResponse(request, "admin/agreements/policy/confirm_switch.html", context)

    # A proposal's page: its impact, Approve (not to its proposer) and Withdraw

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/approve/", wrap(self.approve_view), name="agreements_policy_approve"),
            path("<path:object_id>/withdraw/", wrap(self.withdraw_view), name="agreements_policy_withdraw"),
            *super().get_urls(),
        ]

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:agreements_policy_{view}", args=args, current_app=self.admin_site.name)

    def available_actions(self, request, policy: Policy) -> list[dict]:
        """What the signed-in user may do with this policy row now (the table, plus: never approve your own)."""
        offers = []
        for transition in POLICY.available_to(policy.status, request.user):
            if transition.name == "approve" and policy.set_by_id == request.user.pk:
                continue
            offers.append(
                {
                    "name": transition.name,
                    "label": transition.name.capitalize(),
                    "url": self._url(transition.name, policy.pk),
                    **PROPOSAL_OFFERS.get(transition.name, {}),
                }
            )
        return offers

    def change_view(self, request, object_id, form_url="", extra_context=None):
        policy = self.get_object(request, unquote(object_id))
        if policy is None:
            raise Http404("No such policy.")
        if not self.has_view_permission(request, policy):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(policy),
            "policy": policy,
            "actions_offered": self.available_actions(request, policy),
            "own_proposal": policy.status == PolicyStatus.PROPOSED and policy.set_by_id == request.user.pk,
            **self._impact_context(request, policy),
        }
        return TemplateResponse(request, "admin/agreements/policy/proposal.html", context)

    def _move(self, request, object_id, name: str, **kwargs):
        policy = self.get_object(request, unquote(object_id))
        if policy is None:
            raise Http404("No such policy.")
        if request.method != "POST":
            return HttpResponseRedirect(self._url("change", policy.pk))
        try:
            getattr(services, f"policy_{name}")(actor=request.user, policy=policy, **kwargs)
        except REFUSALS as refusal:
            self.message_user(request, refusal_text(refusal), messages.ERROR)
        else:
            done = "Approved: in force from its instant." if name == "approve" else "Withdrawn."
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", policy.pk))

    def approve_view(self, request, object_id):
        return self._move(request, object_id, "approve")

    def withdraw_view(self, request, object_id):
        return self._move(request, object_id, "withdraw", reason=request.POST.get("reason", ""))
