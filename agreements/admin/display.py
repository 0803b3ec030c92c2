"""How the admin shows compute quantities and service refusals: small, pure helpers."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import admin
from django.utils.html import format_html

from agreements.units import H100_TPP, h100e
from portal.refusals import add_refusal_to_form

# Service field names that the admin forms call differently.
FORM_FIELD_FOR = {"allotments": "schedule"}


class CountryFilter(admin.RelatedOnlyFieldListFilter):
    """Only the countries that have rows, folded until one is chosen (there can be a couple of hundred)."""

    template = "admin/agreements/collapsed_filter.html"


def whole_h100e(tpp: int) -> str:
    """H100e rounded to a whole number with thousands separators; '< 1' for a sliver above zero."""
    if 0 < tpp < H100_TPP / 2:
        return "< 1"
    return f"{h100e(tpp).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def tpp_text(tpp: int) -> str:
    return f"{tpp:,} TPP"


def percent(part: int, whole: int) -> float:
    if whole <= 0:
        return 100.0 if part > 0 else 0.0
    return part * 100 / whole


def usage_bar(*, capacity_tpp: int, committed_tpp: int, pending_tpp: int) -> str:
    """A bar of committed (solid) and pending (hatched) capacity, with its figures in words for screen readers."""
    used = min(percent(committed_tpp, capacity_tpp), 100.0)
    pending = min(percent(pending_tpp, capacity_tpp), 100.0 - used)
    colour = "#b50909" if used >= 90 else "#c05600" if used >= 75 else "#1a4480"
    label = f"{used:.0f}% of capacity committed" + (f", {pending:.0f}% more pending" if pending_tpp else "")
    return format_html(
        '<div class="usage" role="img" aria-label="{}" title="{}" style="display:flex;align-items:center;gap:6px;'
        'min-width:9em">'
        '<div style="flex:1;height:12px;min-width:5.5em;background:#e6e6e6;border:1px solid #a9aeb1;'
        'border-radius:2px;display:flex;overflow:hidden">'
        '<div style="width:{}%;background:{}"></div>'
        '<div style="width:{}%;background:repeating-linear-gradient(45deg,#73b3e7 0 4px,#d9e8f6 4px 8px)"></div>'
        "</div>"
        '<span aria-hidden="true" style="min-width:2.8em;text-align:right">{}%</span></div>',
        label,
        label,
        f"{used:.1f}",
        colour,
        f"{pending:.1f}",
        f"{used:.0f}",
    )


def progress_bar(*, done: float, total: float, label: str) -> str:
    """The usage bar's style for a share met (accepted obligations, revenue share paid): `label` says it in words."""
    share = min(percent(done, total), 100.0) if total else 0.0
    text = f"{share:.0f}% {label}"
    return format_html(
        '<div class="usage" role="img" aria-label="{}" title="{}" style="display:flex;align-items:center;gap:6px;'
        'min-width:9em">'
        '<div style="flex:1;height:12px;min-width:5.5em;background:#e6e6e6;border:1px solid #a9aeb1;'
        'border-radius:2px;display:flex;overflow:hidden">'
        '<div style="width:{}%;background:#1a4480"></div>'
        "</div>"
        '<span aria-hidden="true" style="min-width:2.8em;text-align:right">{}%</span></div>',
        text,
        text,
        f"{share:.1f}",
        f"{share:.0f}",
    )


def add_service_error(form, exc: Exception) -> None:
    """A refusal on the form; schedule errors sit next to the schedule box."""
    add_refusal_to_form(form, exc, field_for=FORM_FIELD_FOR)
