"""The inputs of each workflow action taken in the admin. A form only shapes what the person typed into the
arguments its service takes (`service_kwargs`); the service decides whether the action is allowed."""

from typing import Any

from django import forms

from licensing import selectors
from licensing.choices import OFFICER_RECOMMENDATIONS, Recommendation
from licensing.models import Application
from portal.admin_workflow import ActionForm
from portal.choices import REVIEWING_AGENCIES

TEXTAREA = {"rows": 3, "cols": 70}


class ConfirmForm(ActionForm):
    """An action without inputs (start review)."""


class QuestionForm(ActionForm):
    question = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Sent to the exporter. The 90-day clock stops until they answer.",
    )


class ReferForm(ActionForm):
    agencies = forms.MultipleChoiceField(
        choices=[(agency.value, agency.label) for agency in REVIEWING_AGENCIES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Each agency has 30 days to recommend; past that, its silence counts as no objection.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"agencies": list(self.cleaned_data["agencies"])}


def _lines_text(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _controlled_lines(record: Application | None) -> list:
    if record is None:
        return []
    controlled = selectors.controlled_product_ids(record)
    return [line for line in record.lines.select_related("product") if line.product_id in controlled]


class RecommendForm(ActionForm):
    """The officer's recommendation; with approve, an optional quantity per controlled line and conditions."""

    recommendation = forms.ChoiceField(
        choices=[(c.value, c.label) for c in OFFICER_RECOMMENDATIONS], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Internal: never shown to the exporter. You cannot decide a case you recommended.",
    )
    conditions = forms.CharField(
        label="Proposed conditions",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="With approve: one condition a line, offered to the approving official.",
    )

    def __init__(self, *args, record: Application | None = None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        self.controlled_lines = _controlled_lines(record)
        for number, line in enumerate(self.controlled_lines, start=1):
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"Line {number}, {line.product} — proposed quantity",
                required=False,
                help_text=f"With approve: {line.quantity:,} requested. Leave empty to propose the requested "
                "quantity; 0 proposes none.",
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        items = [
            {"product": line.product, "quantity": data[f"line_{line.pk}"]}
            for line in self.controlled_lines
            if data.get(f"line_{line.pk}") is not None
        ]
        return {
            "recommendation": data["recommendation"],
            "rationale": data["rationale"],
            "items": items,
            "conditions": _lines_text(data["conditions"]),
        }


class AmendQuestionForm(ActionForm):
    question = forms.CharField(
        label="Amended question",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Replaces the unanswered question; the exporter is told. The old wording stays in the audit trail.",
    )

    def __init__(self, *args, record: Application | None = None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        request = selectors.open_info_request(record) if record is not None else None
        if request is not None:
            self.fields["question"].initial = request.question


class WithdrawQuestionForm(ActionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Told to the exporter, who then need not answer. Review resumes and the 90-day clock runs again.",
    )


class AgencyRecommendForm(ActionForm):
    recommendation = forms.ChoiceField(choices=Recommendation.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA), required=False, help_text="Internal: never shown to the exporter."
    )
    conditions = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="One condition a line; required with “Approve with conditions”.",
    )

    def clean_conditions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["conditions"].splitlines() if line.strip()]


class ReasonForm(ActionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args, reason_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = reason_help


class DenyForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, reason_help="Told to the exporter; kept in the audit trail.", **kwargs)


class ReturnForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(
            *args,
            reason_help="Told to the exporter, who corrects it in a new application; kept in the audit trail.",
            **kwargs,
        )


class LicenceReasonForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, reason_help="Recorded on the licence and in the audit trail.", **kwargs)


class ApproveForm(ActionForm):
    """Approve in whole or in part: one quantity per controlled line (defaulting to the requested one)."""

    conditions = forms.CharField(
        label="Extra conditions",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="One per line, added to the conditions the determination attaches.",
    )
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Required to approve against a presumption of denial or an agency's denial recommendation; "
        "kept in the audit trail.",
    )

    def __init__(self, *args, record: Application, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        self.controlled_lines = _controlled_lines(record)
        proposed = record.recommended_quantities or {}
        quantity_fields = {}
        for line in self.controlled_lines:
            officer = proposed.get(str(line.product_id))
            said = f" The officer proposes {officer:,}." if officer is not None and officer != line.quantity else ""
            quantity_fields[self.field_name(line)] = forms.IntegerField(
                label=f"{line.product} — approved quantity",
                min_value=0,
                max_value=line.quantity,
                error_messages={"max_value": f"{line.quantity:,} requested: approve at most that."},
                initial=line.quantity if officer is None else officer,
                help_text=f"{line.quantity:,} requested.{said} 0 leaves the line out; more than requested is refused.",
            )
        self.fields = {**quantity_fields, **self.fields}
        self.fields["conditions"].initial = "\n".join(record.recommended_conditions or [])
        offered = selectors.agency_conditions(record)
        if offered:
            listed = "; ".join(f"{agency}: {text}" for agency, text in offered)
            self.fields["conditions"].help_text += f" The agencies ask for: {listed}."
        if record.recommended_conditions:
            self.fields["conditions"].help_text += " Prefilled with the officer's proposed conditions."

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def service_kwargs(self) -> dict[str, Any]:
        items = [
            {"product": line.product, "quantity": self.cleaned_data[self.field_name(line)]}
            for line in self.controlled_lines
            if self.cleaned_data[self.field_name(line)] > 0
        ]
        conditions = _lines_text(self.cleaned_data["conditions"])
        return {"items": items, "conditions": conditions, "justification": self.cleaned_data["justification"]}
