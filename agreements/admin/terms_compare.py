"""Two versions of an agreement's terms side by side (`<id>/terms/compare/?from=1&to=2`): every term in words,
the ones that changed marked in words (not by colour alone), the allotment schedule period by period. Read-only;
for anyone who may view the agreement."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from agreements.choices import EndUseCategory, ReportingCadence
from agreements.models import TermsVersion
from agreements.selectors import TERMS_FIELDS
from agreements.units import tpp_and_h100e
from portal import display

NONE = "—"


@dataclass(frozen=True)
class Difference:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _value(name: str, value) -> str:
    if value in (None, "", []):
        return "every end use" if name == "permitted_end_uses" else NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "lpp_threshold_tpp":
        return tpp_and_h100e(value)
    if name == "reporting_cadence":
        return str(ReportingCadence(value).label) if value in ReportingCadence.values else str(value)
    if name == "permitted_end_uses":
        return "; ".join(str(EndUseCategory(v).label) if v in EndUseCategory.values else str(v) for v in value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if name == "revenue_share_percent" else f"{value:,.2f}"
    return str(value)


def _schedule(terms: TermsVersion) -> dict[tuple, str]:
    return {(p.period_start, p.period_end): tpp_and_h100e(p.capacity_tpp) for p in terms.periods.all()}


def differences(before: TermsVersion, after: TermsVersion) -> tuple[list[Difference], list[Difference]]:
    """The terms, then the schedule's periods (a period only one version has shows "—" in the other)."""
    terms = [Difference("Effective from", display.day(before.effective_from), display.day(after.effective_from))]
    for name in TERMS_FIELDS:
        label = str(TermsVersion._meta.get_field(name).verbose_name).capitalize()
        label = {"Lpp threshold tpp": "LPP threshold", "Reciprocal investment usd": "Reciprocal investment (USD)"}.get(
            label, label
        )
        terms.append(Difference(label, _value(name, getattr(before, name)), _value(name, getattr(after, name))))
    old, new = _schedule(before), _schedule(after)
    periods = [
        Difference(
            f"{display.day(start)} – {display.day(end)}", old.get((start, end), NONE), new.get((start, end), NONE)
        )
        for start, end in sorted({*old, *new})  # in date order
    ]
    return terms, periods


class TermsCompareViewMixin:
    """For AgreementAdmin: admin:agreements_agreement_terms_compare."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/terms/compare/",
                wrap(self.terms_compare_view),
                name="agreements_agreement_terms_compare",
            ),
            *super().get_urls(),
        ]

    def terms_compare_url(self, agreement) -> str:
        return reverse(
            "admin:agreements_agreement_terms_compare", args=[agreement.pk], current_app=self.admin_site.name
        )

    def terms_compare_view(self, request, object_id):
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404("No such agreement.")
        if not self.has_view_permission(request, agreement):
            raise PermissionDenied
        versions = list(agreement.terms_versions.order_by("version").prefetch_related("periods"))
        by_number = {str(v.version): v for v in versions}
        newest = versions[-1] if versions else None
        after = by_number.get(request.GET.get("to", ""), newest)
        default_before = versions[-2] if len(versions) > 1 else newest
        before = by_number.get(request.GET.get("from", ""), default_before)
        terms, periods = differences(before, after) if before and after else ([], [])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare terms: {agreement.reference}",
            "agreement": agreement,
            "versions": versions,
            "before": before,
            "after": after,
            "terms": terms,
            "periods": periods,
            "changed": sum(1 for row in [*terms, *periods] if row.changed),
            "change_url": self.change_url(agreement),
        }
        return TemplateResponse(request, "admin/agreements/agreement/terms_compare.html", context)
