"""An agreement's deal performance in the admin (for negotiators and staff): per allotment period and capped party,
capacity, committed, shipped and remaining, with bars; its investment milestones, where negotiators record what was
delivered and verified or waive one with a reason (agreements.services.deals, as the API does); a CSV export.

Shipped figures are licensing's: licensing.admin.policy_side registers a subclass of the agreement admin that
passes them in (`shipped`); this one shows none."""

import csv
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from agreements import deal_selectors
from agreements.admin.display import progress_bar, usage_bar, whole_h100e
from agreements.models import Agreement
from agreements.services import deals
from agreements.units import h100e
from agreements.workflow import NEGOTIATE
from portal.permissions import allowed
from portal.refusals import REFUSALS, refusal_text

CSV_COLUMNS = [
    "agreement",
    "period_start",
    "period_end",
    "party",
    "party_country",
    "capacity_tpp",
    "capacity_h100e",
    "committed_tpp",
    "committed_h100e",
    "shipped_tpp",
    "shipped_h100e",
    "remaining_tpp",
    "remaining_h100e",
]


class PerformanceViewMixin:
    """For AgreementAdmin: `<id>/performance/` (admin:agreements_agreement_performance), its CSV, and the milestone
    record and waive posts."""

    def shipped(self, agreement: Agreement) -> Mapping[tuple[int, int | None], int] | None:
        return None

    def obligations(
        self, agreement: Agreement
    ) -> tuple[list[deal_selectors.ObligationCounts], deal_selectors.RevenueShareTotals] | None:
        """What the agreement's licences owe (licensing's figures; None here: this admin does not know them)."""
        return None

    def _obligations_context(self, agreement: Agreement) -> dict:
        figures = self.obligations(agreement)
        if figures is None:
            return {"obligation_rows": None, "revenue_share": None}
        counts, share = figures
        rows = [
            {"counts": c, "bar": progress_bar(done=c.accepted, total=c.total, label="accepted")}
            for c in counts
            if c.total
        ]
        bar = progress_bar(done=float(share.paid_usd), total=float(share.owed_usd), label="of the share owed paid")
        return {"obligation_rows": rows, "revenue_share": share, "revenue_share_bar": bar}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/performance/", wrap(self.performance_view), name="agreements_agreement_performance"),
            path(
                "<path:object_id>/performance.csv",
                wrap(self.performance_csv_view),
                name="agreements_agreement_performance_csv",
            ),
            path(
                "<path:object_id>/milestones/<int:milestone_id>/<str:verb>/",
                wrap(self.milestone_view),
                name="agreements_agreement_milestone",
            ),
            *super().get_urls(),
        ]

    def performance_url(self, agreement: Agreement) -> str:
        return reverse("admin:agreements_agreement_performance", args=[agreement.pk], current_app=self.admin_site.name)

    def _agreement_or_404(self, request, object_id) -> Agreement:
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404("No such agreement.")
        return agreement

    def _rows(self, agreement: Agreement) -> list[dict]:
        rows = []
        for row in deal_selectors.agreement_performance(agreement, shipped=self.shipped(agreement)):
            rows.append(
                {
                    "row": row,
                    "period": f"{row.allotment.period_start} – {row.allotment.period_end}",
                    "party": row.party,
                    "capacity": whole_h100e(row.capacity_tpp),
                    "committed": whole_h100e(row.committed_tpp),
                    "shipped": "—" if row.shipped_tpp is None else whole_h100e(row.shipped_tpp),
                    "remaining": whole_h100e(row.remaining_tpp),
                    "bar": usage_bar(capacity_tpp=row.capacity_tpp, committed_tpp=row.committed_tpp, pending_tpp=0),
                }
            )
        return rows

    def performance_view(self, request, object_id):
        agreement = self._agreement_or_404(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Deal performance: {agreement.reference}",
            "agreement": agreement,
            "rows": self._rows(agreement),
            "milestones": deal_selectors.agreement_milestones(agreement, timezone.now()),
            **self._obligations_context(agreement),
            "may_negotiate": allowed(request.user, NEGOTIATE),
            "change_url": self.change_url(agreement),
            "csv_url": reverse(
                "admin:agreements_agreement_performance_csv", args=[agreement.pk], current_app=self.admin_site.name
            ),
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/agreements/agreement/performance.html", context)

    def performance_csv_view(self, request, object_id):
        """One row per period × party (party empty: the whole allotment)."""
        agreement = self._agreement_or_404(request, object_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{agreement.reference}-performance.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in deal_selectors.agreement_performance(agreement, shipped=self.shipped(agreement)):
            shipped = row.shipped_tpp
            writer.writerow(
                [
                    agreement.reference,
                    row.allotment.period_start,
                    row.allotment.period_end,
                    row.party.name if row.party else "",
                    row.party.country_id if row.party else "",
                    row.capacity_tpp,
                    h100e(row.capacity_tpp),
                    row.committed_tpp,
                    h100e(row.committed_tpp),
                    "" if shipped is None else shipped,
                    "" if shipped is None else h100e(shipped),
                    row.remaining_tpp,
                    h100e(row.remaining_tpp),
                ]
            )
        return response

    def milestone_view(self, request, object_id, milestone_id: int, verb: str):
        """POST record (delivered_usd, verified_usd) or waive (reason): the service as the signed-in user; a
        refusal is shown on the performance page and nothing is written."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        agreement = self._agreement_or_404(request, object_id)
        if not allowed(request.user, NEGOTIATE):
            raise PermissionDenied
        milestone = agreement.milestones.filter(pk=milestone_id).first()
        if milestone is None or verb not in ("record", "waive"):
            raise Http404("No such milestone.")
        try:
            if verb == "record":
                deals.milestone_record(
                    actor=request.user,
                    milestone_id=milestone.pk,
                    delivered_usd=_usd(request.POST.get("delivered_usd")),
                    verified_usd=_usd(request.POST.get("verified_usd")),
                )
                done = f"Recorded delivery on “{milestone.description}”."
            else:
                deals.milestone_waive(
                    actor=request.user, milestone_id=milestone.pk, reason=request.POST.get("reason", "")
                )
                done = f"Waived “{milestone.description}”."
        except REFUSALS as refusal:
            self.message_user(request, refusal_text(refusal), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self.performance_url(agreement))


def _usd(text: str | None) -> Decimal:
    try:
        return Decimal(str(text or "0").replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({"delivered_usd": "Write amounts in USD, e.g. 250,000,000."}) from None
