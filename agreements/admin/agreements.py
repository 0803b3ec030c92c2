"""Agreements in the admin. Negotiators create them, edit their terms while negotiating, take them through their
lifecycle (portal.admin_workflow: buttons on the page, actions on the list) and amend them; staff read them. Every
write is a call to agreements.services, as in the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from agreements import selectors, services
from agreements.admin.agreement_actions import ACTIONS
from agreements.admin.amendments import AmendmentViewMixin
from agreements.admin.display import CountryFilter, add_service_error
from agreements.admin.forms import TERMS_FIELDSETS, AgreementForm
from agreements.admin.performance import PerformanceViewMixin
from agreements.admin.service_form import ServiceFormMixin
from agreements.admin.terms_compare import TermsCompareViewMixin
from agreements.choices import TERMS_EDITABLE_STATUSES, AgreementStatus, EndUseCategory
from agreements.models import Agreement, AgreementStatusChange, TermsVersion
from agreements.units import tpp_and_h100e
from agreements.workflow import AGREEMENT, AMENDABLE_STATUSES
from portal.admin import AuditHistoryMixin, ReadOnlyAdminMixin
from portal.admin_workflow import WorkflowActionsMixin
from portal.choices import Role
from portal.refusals import REFUSALS, refusal_text

ADD_FIELDSETS = [
    ("Agreement", {"fields": ["country", "reference", "title", ("valid_from", "valid_until"), "lead_negotiator"]}),
    *TERMS_FIELDSETS,
]
EDIT_FIELDSETS = [
    (
        "Agreement",
        {"fields": ["country", "status", "reference", "title", ("valid_from", "valid_until"), "lead_negotiator"]},
    ),
    *TERMS_FIELDSETS,
]
READ_ONLY_FIELDSETS = [
    (
        "Agreement",
        {
            "fields": [
                "country",
                "reference",
                "title",
                ("status", "in_force_now"),
                "signed_on",
                ("valid_from", "valid_until"),
                "lead_negotiator",
            ]
        },
    ),
    ("Terms", {"fields": ["terms_summary"]}),
]


def in_force_today(agreement: Agreement) -> bool:
    today = timezone.localdate()
    return agreement.status == AgreementStatus.IN_FORCE and agreement.valid_from <= today <= agreement.valid_until


def schedule_html(periods) -> str:
    rows = [(p.period_start, p.period_end, tpp_and_h100e(p.capacity_tpp), _caps_html(p)) for p in periods]
    if not rows:
        return format_html("<p>{}</p>", "No allotment periods.")
    return format_html(
        '<ul style="margin:0;padding-left:1.2em">{}</ul>', format_html_join("", "<li>{} – {}: {}{}</li>", rows)
    )


def _caps_html(period) -> str:
    caps = [(cap.party.name, cap.party.country_id, tpp_and_h100e(cap.capacity_tpp)) for cap in period.party_caps.all()]
    if not caps:
        return ""
    return format_html(
        '<ul style="margin:0;padding-left:1.2em">{}</ul>', format_html_join("", "<li>cap for {} ({}): {}</li>", caps)
    )


def milestones_html(milestones) -> str:
    rows = [(m.due_on, m.description, f"USD {m.amount_usd:,}", m.us_site or "US site not named") for m in milestones]
    if not rows:
        return "None"
    return format_html(
        '<ul style="margin:0;padding-left:1.2em">{}</ul>', format_html_join("", "<li>due {}: {}, {} ({})</li>", rows)
    )


def _list_html(items, empty: str) -> str:
    if not items:
        return empty
    return format_html(
        '<ul style="margin:0;padding-left:1.2em">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )


class TermsVersionInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = TermsVersion
    verbose_name = "terms version"
    verbose_name_plural = "Terms history (newest first)"
    extra = 0
    ordering = ["-version"]
    fields = [
        ("version", "effective_from"),
        "reason",
        "schedule",
        "milestones",
        "lpp_threshold",
        ("government_assurances", "site_visits_accepted"),
        ("investment", "revenue_share"),
        "end_uses",
        "excluded",
        "conditions",
        "reporting_cadence",
        "notes",
        ("created_by", "created_at"),
    ]
    readonly_fields = flatten_fieldsets([(None, {"fields": fields})])

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("agreement", "created_by")
        return queryset.prefetch_related("periods__party_caps__party", "milestones")

    @admin.display(description="Allotment schedule")
    def schedule(self, terms):
        return schedule_html(terms.periods.all())

    @admin.display(description="Investment milestones set")
    def milestones(self, terms):
        return milestones_html(terms.milestones.all())

    @admin.display(description="LPP threshold")
    def lpp_threshold(self, terms):
        if terms.lpp_threshold_tpp is None:
            return "The policy's threshold (no override)"
        return tpp_and_h100e(terms.lpp_threshold_tpp) + (" — no LPP exception" if terms.lpp_threshold_tpp == 0 else "")

    @admin.display(description="Reciprocal investment")
    def investment(self, terms):
        return f"USD {terms.reciprocal_investment_usd:,}"

    @admin.display(description="Revenue share")
    def revenue_share(self, terms):
        return "None" if terms.revenue_share_percent is None else f"{terms.revenue_share_percent} %"

    @admin.display(description="Permitted end uses")
    def end_uses(self, terms):
        labels = [EndUseCategory(value).label for value in terms.permitted_end_uses if value in EndUseCategory.values]
        return _list_html(labels, "All end uses permitted")

    @admin.display(description="Excluded end users")
    def excluded(self, terms):
        return _list_html(terms.excluded_end_users, "None")

    @admin.display(description="Security conditions")
    def conditions(self, terms):
        return _list_html(terms.security_conditions, "None")


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgreementStatusChange
    verbose_name = "status change"
    verbose_name_plural = "Status history (newest first)"
    extra = 0
    ordering = ["-id"]
    fields = ["at", "recorded_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Agreement)
class AgreementAdmin(
    WorkflowActionsMixin,
    PerformanceViewMixin,
    AmendmentViewMixin,
    TermsCompareViewMixin,
    ServiceFormMixin,
    AuditHistoryMixin,
    admin.ModelAdmin,
):
    form = AgreementForm
    workflow = AGREEMENT
    workflow_actions = ACTIONS
    workflow_list_actions = tuple(ACTIONS)
    record_kwarg = "agreement"
    change_form_template = "admin/agreements/agreement/change_form.html"
    list_display = ["reference", "title", "country", "status", "valid_from", "valid_until", "in_force_now"]
    list_display_links = ["reference", "title"]
    list_filter = ["status", ("country", CountryFilter)]
    list_select_related = ["country"]
    search_fields = ["reference", "title", "country__name", "=country__code"]
    show_full_result_count = False
    autocomplete_fields = ["country"]
    # Save first in the form, so Enter in a field saves rather than pressing the schedule's "Add a period".
    save_on_top = True

    # Who may do what

    def get_queryset(self, request):
        queryset = Agreement.objects.restrict(request.user, "view").select_related("country", "lead_negotiator")
        return queryset.order_by(*(self.get_ordering(request) or Agreement._meta.ordering))

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status not in TERMS_EDITABLE_STATUSES:
            return False  # signed or later: terms change only by amendment, the record itself is history
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _editable(self, request, obj) -> bool:
        return obj is not None and self.has_change_permission(request, obj)

    # The form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ADD_FIELDSETS
        return EDIT_FIELDSETS if self._editable(request, obj) else READ_ONLY_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["country", "status"] if self._editable(request, obj) else flatten_fieldsets(READ_ONLY_FIELDSETS)

    def get_inlines(self, request, obj):
        return [] if obj is None else [TermsVersionInline, StatusChangeInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and not self._editable(request, obj):
            kwargs["form"] = forms.ModelForm  # a record to read: no inputs, no help texts meant for typing
        form = super().get_form(request, obj, change, **kwargs)
        if self._editable(request, obj):
            form = type(form.__name__, (form,), {"current_terms": selectors.current_terms(obj)})
        return form

    def get_changeform_initial_data(self, request):
        return {"lead_negotiator": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_negotiator":
            kwargs["queryset"] = (
                get_user_model().objects.filter(groups__name=Role.NEGOTIATOR, is_active=True).order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Saving: form → service → redirect

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Pages are the admin's own; a POST of the agreement form is `_save_view`'s (the admin never saves)."""
        if request.method == "POST":
            return self._save_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _save_view(self, request, object_id, form_url, extra_context):
        """Validate the form, call agreement_create or agreement_update as the signed-in user, redirect. A refusal
        comes back on the form, next to the field it concerns; the service wrote nothing."""
        add = object_id is None
        obj = None if add else self.get_object(request, unquote(object_id))
        if not add and obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_add_permission(request) if add else self._editable(request, obj)):
            raise PermissionDenied
        form = self.get_form(request, obj, change=not add)(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            try:
                saved = self._create(request, form) if add else self._update(request, obj, form)
            except REFUSALS as refusal:
                add_service_error(form, refusal)
                if not isinstance(refusal, ValidationError):
                    self.message_user(request, refusal_text(refusal), messages.ERROR)
            else:
                message = self.construct_change_message(request, form, [], add)
                if add:
                    self.log_addition(request, saved, message)
                    return self.response_add(request, saved)
                self.log_change(request, saved, message)
                return self.response_change(request, saved)
        return self.form_page(request, form, obj, object_id, form_url, extra_context)

    def _create(self, request, form) -> Agreement:
        data = form.cleaned_data
        return services.agreement_create(
            actor=request.user,
            country=data["country"],
            reference=data["reference"],
            title=data["title"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            lead_negotiator=data.get("lead_negotiator"),
            terms=form.terms_payload(),
        )

    def _update(self, request, obj, form) -> Agreement:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.AGREEMENT_FIELDS}
        terms = None
        if form.terms_changed() or "valid_from" in changes:
            terms = form.terms_payload()
            if "schedule" not in form.changed_data and "party_caps" not in form.changed_data:
                del terms["allotments"]  # leave the periods (and their caps) as they are
            if "investment_milestones" not in form.changed_data:
                del terms["investment_milestones"]  # leave the milestones (and what is recorded on them) alone
        if changes or terms is not None:
            return services.agreement_update(actor=request.user, agreement=obj, terms=terms, **changes)
        return obj

    # What the pages show

    @admin.display(description="In force now", boolean=True)
    def in_force_now(self, agreement):
        return in_force_today(agreement)

    @admin.display(description="Terms")
    def terms_summary(self, agreement):
        newest = selectors.current_terms(agreement)
        if newest is None:
            return "No terms recorded."
        today = timezone.localdate()
        heading = f"Version {newest.version}, effective {newest.effective_from}"
        if newest.effective_from > today:
            applies = selectors.terms_in_force(agreement, today)
            heading += f" (not yet in effect; version {applies.version} applies today)"
        return format_html(
            "<p><strong>{}</strong></p>{}<p>{}</p>",
            heading,
            schedule_html(newest.periods.all()),
            "Every version, with all its terms, is listed under “Terms history” below."
            + (
                " The terms are locked: change them with an amendment."
                if agreement.status in AMENDABLE_STATUSES
                else ""
            ),
        )

    # Where it stands, for the workflow panel and the action pages

    def state_sentence(self, request, agreement) -> str:
        sentence = f"Status: {agreement.get_status_display()}" + (
            " — in force today." if in_force_today(agreement) else "."
        )
        if agreement.status in AMENDABLE_STATUSES:
            sentence += " Its terms change only by amendment, with their own effective date."
        elif self.is_closed(agreement):
            sentence += " No further status changes are possible."
        return sentence

    def related_links(self, request, agreement) -> list[tuple[str, str]]:
        links = [("Deal performance", self.performance_url(agreement))]
        if self.may_amend(request, agreement):
            links.append(("Add amendment", self.amend_url(agreement)))
        if agreement.terms_versions.count() > 1:
            links.append(("Compare terms versions", self.terms_compare_url(agreement)))
        return links

    def record_label(self, agreement) -> str:
        return agreement.reference

    def action_summary(self, agreement) -> list[tuple[str, str]]:
        return [
            ("Reference", agreement.reference),
            ("Title", agreement.title),
            ("Country", agreement.country.name),
            ("Status now", agreement.get_status_display()),
        ]
