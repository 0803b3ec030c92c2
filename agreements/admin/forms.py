"""Admin forms for agreements: the agreement with its first terms, amendments, and transitions.

The forms check what a person typed; the services decide the rules (overlaps, states) and their refusals
are put back on the form next to the field they concern.
"""

import copy
import datetime
import re
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from agreements import selectors
from agreements.admin.schedule_rows import ScheduleField, period_rows
from agreements.choices import EndUseCategory, ReportingCadence
from agreements.models import Agreement, TermsVersion
from agreements.workflow import AGREEMENT
from portal.admin_widgets import LabelledSplitDateTime
from portal.admin_workflow import ActionForm

# How the terms fields are laid out on the agreement and the amendment pages.
TERMS_FIELDSETS = [
    (
        "Allotment schedule",
        {
            "fields": ["schedule"],
            "description": "The capacity the partner country may receive per period. When the agreement enters "
            "into force these periods become its allotments, with their party caps.",
        },
    ),
    (
        "Investment milestones",
        {
            "fields": ["investment_milestones"],
            "description": "Reciprocal investment the partner delivers in the United States. A milestone past due "
            "and neither verified nor waived turns the agreement's new draws to denial.",
        },
    ),
    (
        "Terms",
        {
            "fields": [
                "lpp_threshold_tpp",
                ("government_assurances", "site_visits_accepted"),
                ("reciprocal_investment_usd", "revenue_share_percent"),
                "permitted_end_uses",
                "excluded_end_users",
                "security_conditions",
                "reporting_cadence",
                "notes",
            ]
        },
    ),
]
MILESTONES_HELP = (
    "One milestone per line: <code>due date | amount USD | description | US site</code>. Example:<br>"
    "<code>2026-11-30 | 500,000,000 | First US data-centre phase | Phoenix, AZ</code>"
)


def _amount(text: str, unit_allowed: bool = True) -> tuple[str, str | None]:
    match = re.fullmatch(r"([\d,_ .]+?)\s*(tpp|h100e)?", text.strip(), re.IGNORECASE)
    if not match or (match.group(2) and not unit_allowed):
        raise ValidationError("write the amount as a number" + (", then TPP or H100e." if unit_allowed else "."))
    return re.sub(r"[,_ ]", "", match.group(1)), match.group(2)


class _PipeLinesField(forms.CharField):
    """Lines of `|`-separated cells, each line cleaned by `parse`; errors name the line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 70, "class": "vLargeTextField", "spellcheck": "false"})
    cells: tuple[int, int] = (3, 3)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[dict[str, Any]]:
        rows, errors = [], []
        for number, raw in enumerate(str(value or "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            cells = [cell.strip() for cell in line.split("|")]
            try:
                if not self.cells[0] <= len(cells) <= self.cells[1]:
                    raise ValidationError(f"write {self.cells[0]} cells separated by |.")
                rows.append(self.parse(cells))
            except ValidationError as exc:
                errors.append(ValidationError(f"Line {number} ({raw.strip()}): {exc.messages[0]}"))
        if errors:
            raise ValidationError(errors)
        return rows

    def parse(self, cells: list[str]) -> dict[str, Any]:
        raise NotImplementedError


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError("dates are written YYYY-MM-DD, e.g. 2026-01-01.") from None


class MilestonesField(_PipeLinesField):
    """Investment milestones as text: `due date | amount USD | description | US site`."""

    cells = (3, 4)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{m['due_on']} | {m['amount_usd']:,} | {m['description']} | {m.get('us_site', '')}".rstrip(" |")
                for m in value
            )
        return value

    def parse(self, cells: list[str]) -> dict[str, Any]:
        due, amount_text, description, *site = cells
        amount, _ = _amount(amount_text, unit_allowed=False)
        try:
            amount_usd = Decimal(amount)
        except ArithmeticError:
            raise ValidationError("write the amount in USD, e.g. 500,000,000.") from None
        return {
            "due_on": _date(due),
            "amount_usd": amount_usd.quantize(Decimal("0.01")),
            "description": description,
            "us_site": site[0] if site else "",
        }


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 70, "class": "vLargeTextField"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class TermsFields(forms.Form):
    """The negotiated terms of one version, as the services take them."""

    schedule = ScheduleField(label="Allotment schedule")
    investment_milestones = MilestonesField(label="Investment milestones", help_text=MILESTONES_HELP)
    lpp_threshold_tpp = forms.IntegerField(
        label="LPP threshold override (TPP)",
        required=False,
        min_value=0,
        max_value=10**15,
        help_text="Leave empty to use the policy's threshold; 0 means no LPP exception for this partner.",
    )
    government_assurances = forms.BooleanField(label="Government-to-government assurances given", required=False)
    site_visits_accepted = forms.BooleanField(label="Site visits by US officials accepted", required=False)
    reciprocal_investment_usd = forms.DecimalField(
        label="Reciprocal investment commitment (USD)",
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        initial=Decimal(0),
    )
    revenue_share_percent = forms.DecimalField(
        label="Revenue share (%)", required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    permitted_end_uses = forms.MultipleChoiceField(
        choices=EndUseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to permit every end use.",
    )
    excluded_end_users = LinesField(help_text="One name per line; matched ignoring case, spacing and punctuation.")
    security_conditions = LinesField(help_text="One condition per line; each becomes a licence condition.")
    reporting_cadence = forms.ChoiceField(
        choices=[("", "Not set"), *ReportingCadence.choices], required=False, label="Reporting cadence"
    )
    notes = forms.CharField(
        label="Negotiator's notes", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 70})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bind_schedule_rows()

    def bind_schedule_rows(self) -> None:
        """The schedule's rows (schedule_rows), bound to the POST or showing the initial periods and caps."""
        self.fields["schedule"] = copy.deepcopy(self.fields["schedule"])
        self.schedule_rows = period_rows(
            self.data if self.is_bound else None, self.initial.get("schedule"), self.initial.get("party_caps")
        )
        self.fields["schedule"].bind_rows(self.schedule_rows)

    def full_clean(self):
        """Not when "Add a period" or "Add a party cap" was pressed: the page shows one more row, no errors, and
        the form is not valid (nothing is saved)."""
        if self.is_bound and self.schedule_rows.adding_row:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return super().is_valid() and not self.schedule_rows.adding_row

    def clean_reciprocal_investment_usd(self):
        return self.cleaned_data["reciprocal_investment_usd"] or Decimal(0)

    def clean_schedule(self):
        periods, caps = self.cleaned_data["schedule"]
        self.cleaned_data["party_caps"] = caps
        return periods

    def terms_payload(self) -> dict[str, Any]:
        """The terms as `agreement_create`, `agreement_update` and `amendment_create` take them: each period with
        its party caps, and the milestones typed (the service replaces a draft's, or adds an amendment's)."""
        payload = {name: self.cleaned_data[name] for name in selectors.TERMS_FIELDS}
        caps = self.cleaned_data.get("party_caps") or []
        payload["allotments"] = [
            {
                **period,
                "party_caps": [
                    {"party": cap["party"], "capacity_tpp": cap["capacity_tpp"]}
                    for cap in caps
                    if cap["period_start"] == period["period_start"]
                ],
            }
            for period in self.cleaned_data["schedule"]
        ]
        payload["investment_milestones"] = self.cleaned_data.get("investment_milestones") or []
        return payload

    def terms_changed(self) -> bool:
        names = (*selectors.TERMS_FIELDS, "schedule", "investment_milestones")
        return any(name in self.changed_data for name in names)


def terms_initial(terms: TermsVersion) -> dict[str, Any]:
    """A terms version as the initial values of `TermsFields` (its periods prefetched)."""
    initial = {name: getattr(terms, name) for name in selectors.TERMS_FIELDS}
    initial["schedule"] = [
        {"period_start": p.period_start, "period_end": p.period_end, "capacity_tpp": p.capacity_tpp}
        for p in terms.periods.all()
    ]
    initial["party_caps"] = [
        {"period_start": p.period_start, "party": cap.party, "capacity_tpp": cap.capacity_tpp}
        for p in terms.periods.all()
        for cap in p.party_caps.all()
    ]
    initial["investment_milestones"] = [
        {"due_on": m.due_on, "amount_usd": m.amount_usd, "description": m.description, "us_site": m.us_site}
        for m in terms.milestones.all()
    ]
    return initial


class AgreementForm(TermsFields, forms.ModelForm):
    """A new agreement with its first terms, or a draft under negotiation with its terms in place."""

    # Set on the class the admin builds per request: the terms being edited.
    current_terms: TermsVersion | None = None

    class Meta:
        model = Agreement
        fields = ["country", "reference", "title", "valid_from", "valid_until", "lead_negotiator"]
        help_texts = {
            "reference": "Unique, e.g. G2G-IN-2026.",
            "valid_from": "Version 1 of the terms applies from this day.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.current_terms is not None:
            for name, value in terms_initial(self.current_terms).items():
                self.initial.setdefault(name, value)
            self.bind_schedule_rows()


class AmendmentForm(TermsFields):
    """A new terms version for a signed or in-force agreement, prefilled from the newest one."""

    effective_from = forms.DateField(
        widget=widgets.AdminDateWidget,
        help_text="The day the amended terms take effect. Allotments of an agreement in force change on that day.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        help_text="Why the terms change; kept with the version and in the audit trail.",
    )
    field_order = ["effective_from", "reason"]


class TransitionForm(ActionForm):
    """A status change (portal.admin_workflow): the reason, required where the table says so, and when the change
    took effect (default now; a past instant is allowed, the service refuses a future one)."""

    transition_name: ClassVar[str] = ""  # set by `transition_form`

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 70}), required=False)
    effective_at = forms.SplitDateTimeField(
        required=False,
        label="Took effect at",
        widget=LabelledSplitDateTime(label="Took effect at"),
        help_text="Leave empty for now. A past instant is allowed (not before the agreement's previous status "
        "change); never a future one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required = AGREEMENT.get(self.transition_name).reason_required
        self.fields["reason"].required = required
        self.fields["reason"].help_text = (
            "Required: recorded in the status history and the audit trail."
            if required
            else "Optional: recorded in the status history and the audit trail."
        )

    def service_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"reason": self.cleaned_data["reason"]}
        if self.cleaned_data.get("effective_at"):
            kwargs["effective_at"] = self.cleaned_data["effective_at"]
        return kwargs


class SignForm(TransitionForm):
    """Signing also records the day both parties signed (left empty: the day the signature took effect)."""

    signed_on = forms.DateField(
        required=False,
        initial=timezone.localdate,
        widget=widgets.AdminDateWidget,
        help_text="The day both parties signed. Left empty: the day it took effect.",
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on and signed_on > timezone.localdate():
            raise ValidationError("The signing date cannot be in the future.")
        return signed_on

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        if self.cleaned_data.get("signed_on"):
            kwargs["signed_on"] = self.cleaned_data["signed_on"]
        return kwargs


def transition_form(name: str) -> type[TransitionForm]:
    """The form of the agreement transition `name`."""
    base = SignForm if name == "sign" else TransitionForm
    return type(f"{name.title().replace('_', '')}Form", (base,), {"transition_name": name})
