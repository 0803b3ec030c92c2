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


class RecommendForm(ActionForm):
    recommendation = forms.ChoiceField(
        choices=[(c.value, c.label) for c in OFFICER_RECOMMENDATIONS], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Internal: never shown to the exporter. You cannot decide a case you recommended.",
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
        controlled = selectors.controlled_product_ids(record)
        self.controlled_lines = [line for line in record.lines.all() if line.product_id in controlled]
        quantity_fields = {
            self.field_name(line): forms.IntegerField(
                label=f"{line.product} — approved quantity",
                min_value=0,
                initial=line.quantity,
                help_text=f"{line.quantity:,} requested. 0 leaves the line out; more than requested is refused.",
            )
            for line in self.controlled_lines
        }
        self.fields = {**quantity_fields, **self.fields}

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def service_kwargs(self) -> dict[str, Any]:
        items = [
            {"product": line.product, "quantity": self.cleaned_data[self.field_name(line)]}
            for line in self.controlled_lines
            if self.cleaned_data[self.field_name(line)] > 0
        ]
        conditions = [text.strip() for text in self.cleaned_data["conditions"].splitlines() if text.strip()]
        return {"items": items, "conditions": conditions, "justification": self.cleaned_data["justification"]}
