"""The allotment schedule in the terms forms as rows: one row per period (start, end, capacity and its unit) with
its party caps beneath it (party and cap), each row checked on its own and against the others.

A plain Django formset of periods, each period holding a formset of its caps (prefix `schedule-<n>-caps`). It works
without JavaScript: "Add a period" and "Add a party cap" are submit buttons that show the form again with one more
empty row and save nothing. The rows clean to the lists the services take (`agreement_create`, `agreement_update`,
`amendment_create`), so the rules underneath stay the services'."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.template.loader import render_to_string

from agreements.models import Party
from agreements.party_matching import normalise_name
from agreements.units import H100_TPP, tpp_from_h100e

PREFIX = "schedule"
ADD_PERIOD = f"{PREFIX}-add"
UNITS = [("h100e", "H100e"), ("tpp", "TPP")]
_MAX = 10**15  # a bigint's worth of TPP, far above any country's capacity


def _in_tpp(amount: int, unit: str) -> int:
    return amount if unit == "tpp" else tpp_from_h100e(amount)  # H100e unless TPP was chosen


def _shown(tpp: int) -> dict[str, Any]:
    """A TPP figure as a row shows it: whole H100e where it is a whole number of them, else TPP."""
    return {"amount": tpp // H100_TPP, "unit": "h100e"} if tpp % H100_TPP == 0 else {"amount": tpp, "unit": "tpp"}


def party_label(party: Party) -> str:
    return f"{party.name}, {party.country_id} #{party.pk}"


def find_party(text: str) -> Party:
    """A party of the register as typed in a cap row: `#17`, `Name, CC #17`, `Name, CC` or a name alone."""
    live = Party.objects.filter(merged_into__isnull=True)
    if found := re.search(r"#(\d+)\s*$", text):
        party = live.filter(pk=int(found.group(1))).first()
        if party is None:
            raise ValidationError(f"No party #{found.group(1)} in the register.")
        return party
    name, _, code = text.rpartition(",")
    if not name or not re.fullmatch(r"\s*[A-Za-z]{2}\s*", code):
        name, code = text, ""
    named = live.filter(normalised_name=normalise_name(name))
    matches = list((named.filter(country_id=code.strip().upper()) if code else named)[:2])
    if not matches:
        raise ValidationError(f"No party “{text}” in the register: add it to the register first, or give its #id.")
    if len(matches) > 1:
        raise ValidationError(f"More than one party is called “{name.strip()}”: add its country code or its #id.")
    return matches[0]


def _with_management(data, prefix: str):
    """A copy of the POST with the rows' management form; where none was sent (a post not from the page), no rows."""
    data = data.copy()
    if f"{prefix}-TOTAL_FORMS" not in data:
        data[f"{prefix}-TOTAL_FORMS"], data[f"{prefix}-INITIAL_FORMS"] = "0", "0"
    return data


def _one_more(data, prefix: str) -> None:
    """One more (empty) row than were sent; a count that is not a number is left for the formset to refuse."""
    total = f"{prefix}-TOTAL_FORMS"
    if str(data.get(total, "")).isdigit():
        data[total] = str(int(data[total]) + 1)


class CapRow(forms.Form):
    """A party's cap inside its period: the party from the register and the cap with its unit."""

    party = forms.CharField(
        required=False,
        max_length=250,
        widget=forms.TextInput(attrs={"list": "party-register", "size": 28, "autocomplete": "off"}),
        help_text="From the party register: a name, or its #id.",
    )
    amount = forms.IntegerField(required=False, label="Cap", widget=forms.NumberInput(attrs={"step": 1, "size": 10}))
    unit = forms.ChoiceField(choices=UNITS, initial="h100e", required=False, label="Unit of the cap")

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("party") and self.cleaned_data.get("amount") is None

    def clean(self):
        cleaned = super().clean()
        if self.is_blank() and not self.errors:
            return cleaned
        if not cleaned.get("party"):
            self.add_error("party", "Name the party this cap is for.")
        else:
            try:
                cleaned["party_obj"] = find_party(cleaned["party"])
            except ValidationError as exc:
                self.add_error("party", exc)
        amount = cleaned.get("amount")
        if amount is None:
            if "amount" not in self.errors:  # not typed (a figure that is no number has its error already)
                self.add_error("amount", "Give the cap.")
        elif amount <= 0:
            self.add_error("amount", "The cap must be more than zero.")
        elif _in_tpp(amount, cleaned.get("unit", "")) > _MAX:
            self.add_error("amount", "The cap is larger than any capacity can be.")
        return cleaned


def removed(form: forms.Form) -> bool:
    """Ticked "Remove" (a form of a formset with can_delete)."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


CapRows = formset_factory(CapRow, extra=1, can_delete=True)


class PeriodRow(forms.Form):
    """A period of the schedule: its first and last day and the capacity the partner may receive in it."""

    period_start = forms.DateField(required=False, label="Starts", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, label="Ends", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.IntegerField(
        required=False, label="Capacity", widget=forms.NumberInput(attrs={"step": 1, "size": 12})
    )
    unit = forms.ChoiceField(choices=UNITS, initial="h100e", required=False, label="Unit of the capacity")

    def __init__(self, *args, caps_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        caps_prefix = f"{self.prefix}-caps"
        data = _with_management(self.data, caps_prefix) if self.is_bound else None
        if data is not None and f"{caps_prefix}-add" in data:
            _one_more(data, caps_prefix)
        self.caps = CapRows(data, initial=caps_initial or [], prefix=caps_prefix)

    @property
    def add_cap_name(self) -> str:
        return f"{self.caps.prefix}-add"

    def has_changed(self) -> bool:
        return super().has_changed() or self.caps.has_changed()

    def is_blank(self) -> bool:
        data = self.cleaned_data
        no_caps = all(cap.is_blank() or removed(cap) for cap in self.caps.forms)
        return not data.get("period_start") and not data.get("period_end") and data.get("amount") is None and no_caps

    def full_clean(self):
        if self.is_bound:
            self.caps.full_clean()  # first: whether the period is blank depends on its caps
        super().full_clean()

    def has_errors(self) -> bool:
        return bool(self.errors) or any(cap.errors for cap in self.caps.forms)

    def clean(self):
        cleaned = super().clean()
        if self.is_blank():
            return cleaned
        start, end, amount = cleaned.get("period_start"), cleaned.get("period_end"), cleaned.get("amount")
        if start is None and "period_start" not in self.errors:  # not typed (a bad date has its error already)
            self.add_error("period_start", "Give the first day of the period.")
        if end is None and "period_end" not in self.errors:
            self.add_error("period_end", "Give the last day of the period.")
        if start and end and end < start:
            self.add_error("period_end", "The period ends before it starts.")
        if amount is None:
            if "amount" not in self.errors:
                self.add_error("amount", "Give the capacity.")
        elif amount < 0:
            self.add_error("amount", "The capacity cannot be negative.")
        elif amount == 0:
            self.add_error("amount", "The capacity must be more than zero.")
        elif _in_tpp(amount, cleaned.get("unit", "")) > _MAX:
            self.add_error("amount", "The capacity is larger than any country's can be.")
        return cleaned

    def capacity_tpp(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return None if amount is None else _in_tpp(amount, self.cleaned_data.get("unit", ""))

    def check_caps(self) -> None:
        """Each cap inside the capacity, each party capped once in the period."""
        capacity, seen = (None if "amount" in self.errors else self.capacity_tpp()), set()
        for cap in self.live_caps():
            party = cap.cleaned_data["party_obj"]
            if party.pk in seen:
                cap.add_error("party", f"{party.name} is capped twice in this period.")
            seen.add(party.pk)
            tpp = _in_tpp(cap.cleaned_data["amount"], cap.cleaned_data.get("unit", ""))
            if capacity is not None and tpp > capacity:
                cap.add_error("amount", "The cap is larger than the period's capacity.")

    def live_caps(self) -> list[CapRow]:
        return [cap for cap in self.caps.forms if not removed(cap) and cap.is_valid() and not cap.is_blank()]


class BasePeriodRows(forms.BaseFormSet):
    def __init__(self, data=None, *args, caps_initial=None, **kwargs):
        if data is not None:
            data = _with_management(data, PREFIX)
        if data is not None and ADD_PERIOD in data:
            _one_more(data, PREFIX)
        self.caps_initial = caps_initial or []
        super().__init__(data, *args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["caps_initial"] = (
            self.caps_initial[index] if index is not None and index < len(self.caps_initial) else []
        )
        return kwargs

    @property
    def adding_row(self) -> bool:
        """A press of "Add a period" or "Add a party cap": show the rows again, save nothing."""
        return self.is_bound and any(
            name == ADD_PERIOD or (name.startswith(f"{PREFIX}-") and name.endswith("-caps-add")) for name in self.data
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()  # cleans the rows, then `clean` checks them against each other and their caps
        return valid and all(row.caps.is_valid() for row in self.forms if not removed(row))

    def live_rows(self) -> list[PeriodRow]:
        return [row for row in self.forms if not removed(row) and not row.is_blank()]

    def clean(self):
        """Rows against each other, and each period's caps against its capacity, wherever the figures needed are
        valid (so one page shows every mistake, not one kind at a time)."""
        rows = [row for row in self.forms if not removed(row) and not row.is_blank()]
        dated = sorted(
            (row for row in rows if row.cleaned_data.get("period_start") and row.cleaned_data.get("period_end")),
            key=lambda row: row.cleaned_data["period_start"],
        )
        for earlier, later in zip(dated, dated[1:], strict=False):
            if later.cleaned_data["period_start"] <= earlier.cleaned_data["period_end"]:
                later.add_error(
                    "period_start",
                    f"The period overlaps the one from {earlier.cleaned_data['period_start']} to "
                    f"{earlier.cleaned_data['period_end']}.",
                )
        for row in rows:
            row.check_caps()

    def errors_in_words(self) -> list[str]:
        """Every row's errors as sentences naming the row, for the field's error list (and the page's note)."""
        messages = []
        for number, row in enumerate(self.forms, start=1):
            for name, errors in row.errors.items():
                messages += [f"Period {number}, {row.fields[name].label.lower()}: {error}" for error in errors]
            for cap_number, cap in enumerate(row.caps.forms, start=1):
                for name, errors in cap.errors.items():
                    label = cap.fields[name].label.lower() if cap.fields[name].label else name
                    messages += [f"Period {number}, party cap {cap_number}, {label}: {error}" for error in errors]
        return messages

    def periods(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The periods, earliest first, and the caps with the start of their period (as the services take them)."""
        periods, caps = [], []
        for row in sorted(self.live_rows(), key=lambda row: row.cleaned_data["period_start"]):
            start = row.cleaned_data["period_start"]
            periods.append(
                {
                    "period_start": start,
                    "period_end": row.cleaned_data["period_end"],
                    "capacity_tpp": row.capacity_tpp(),
                }
            )
            for cap in row.live_caps():
                tpp = _in_tpp(cap.cleaned_data["amount"], cap.cleaned_data.get("unit", ""))
                caps.append({"period_start": start, "party": cap.cleaned_data["party_obj"].pk, "capacity_tpp": tpp})
        return periods, caps


PeriodRows = formset_factory(PeriodRow, formset=BasePeriodRows, extra=1, can_delete=True)


def period_rows(data, periods: list[dict[str, Any]] | None, caps: list[dict[str, Any]] | None) -> BasePeriodRows:
    """The rows of a schedule: bound to the POST `data`, or showing `periods` with their `caps` (terms_initial)."""
    periods, caps = periods or [], caps or []
    initial = [
        {"period_start": p["period_start"], "period_end": p["period_end"], **_shown(p["capacity_tpp"])} for p in periods
    ]
    caps_initial = [
        [
            {"party": party_label(cap["party"]), **_shown(cap["capacity_tpp"])}
            for cap in caps
            if cap["period_start"] == p["period_start"] and isinstance(cap["party"], Party)
        ]
        for p in periods
    ]
    return PeriodRows(data, initial=initial, caps_initial=caps_initial, prefix=PREFIX)


class ScheduleWidget(forms.Widget):
    """Renders the rows (set by the form as `rows`); the value comes from the rows, not from one input."""

    rows: BasePeriodRows | None = None

    def render(self, name, value, attrs=None, renderer=None):
        parties = Party.objects.filter(merged_into__isnull=True).order_by("name")[:500]
        return render_to_string(
            "admin/agreements/agreement/schedule_rows.html",
            {
                "rows": self.rows,
                "show_errors": not self.rows.adding_row,
                "add_period": ADD_PERIOD,
                "parties": [party_label(p) for p in parties],
            },
        )

    def value_from_datadict(self, data, files, name):
        return None

    def id_for_label(self, id_):
        return f"id_{PREFIX}-0-period_start"


class ScheduleField(forms.Field):
    """The schedule's rows as one field of the terms form: cleans to (periods, caps); row errors in words."""

    widget = ScheduleWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "One row per period, with the party caps of that period beneath it. Capacity and caps in whole "
            "H100-equivalents (1 H100e = 15,832 TPP) or in TPP. Leave a row empty, or tick “Remove”, to drop it.",
        )
        super().__init__(**kwargs)
        self.rows: BasePeriodRows | None = None

    def bind_rows(self, rows: BasePeriodRows) -> None:
        self.rows = self.widget.rows = rows

    def clean(self, value):
        assert self.rows is not None
        if not self.rows.is_valid():
            raise ValidationError(self.rows.errors_in_words() or ["Check the rows of the schedule."])
        return self.rows.periods()

    def has_changed(self, initial, data) -> bool:
        return self.rows is not None and self.rows.has_changed()

    def prepare_value(self, value):
        return value
