"""The policy side's admin pages with the figures only licensing knows, composed here (agreements never imports
licensing): pending demand beside allotment use (the allotment list and pages, and the dashboard of use per
country), what was shipped on an agreement's deal performance page, and the impact of a policy switch on pending
applications (its confirmation page).

Each is agreements' admin class with licensing's figures passed in explicitly; registered in its place, so the
pages keep their addresses (admin:agreements_allotment_dashboard, admin:agreements_policy_add)."""

import datetime
import json
from collections.abc import Mapping
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from agreements import selectors as agreements_selectors
from agreements.admin import usage_chart
from agreements.admin.agreements import AgreementAdmin
from agreements.admin.allotments import (
    REGIME_SOURCE,
    SOURCE_HEADINGS,
    USAGE_PERMISSION,
    AllotmentAdmin,
    in_h100e,
    source_text,
)
from agreements.admin.display import percent, usage_bar, whole_h100e
from agreements.admin.policy import PolicyAdmin
from agreements.choices import AllotmentSource, Region
from agreements.deal_selectors import ObligationCounts, RevenueShareTotals
from agreements.models import Agreement, Allotment, Policy
from agreements.selectors import AllotmentUsage
from agreements.units import tpp_and_h100e
from licensing import impact, obligation_selectors, selectors
from licensing.admin import usage_table
from licensing.choices import ImpactRunStatus
from licensing.models import ImpactRun
from licensing.services import impact_runs
from portal.display import day
from portal.permissions import allowed


class AllotmentDemandAdmin(AllotmentAdmin):
    """Allotments with the TPP that submitted, undecided applications ask of each (licensing.selectors)."""

    list_display = [*AllotmentAdmin.list_display, "pending"]
    fields = [*AllotmentAdmin.fields[:-2], "pending_detail", *AllotmentAdmin.fields[-2:]]
    readonly_fields = fields

    def pending_demand(self, allotment_ids: list[int]) -> Mapping[int, int]:
        return selectors.pending_demand(allotment_ids)

    @admin.display(description=in_h100e("Pending demand"))
    def pending(self, allotment):
        return whole_h100e(self.usage_of(allotment).pending_tpp)

    @admin.display(description="Pending demand")
    def pending_detail(self, allotment):
        return tpp_and_h100e(self.usage_of(allotment).pending_tpp)

    def current_usage(self, source: str, at: datetime.datetime) -> list[AllotmentUsage]:
        """Per country, the allotment of `source` a determination at `at` would draw on, with its usage and
        demand, most used first. A constant number of queries."""
        usage = self.usage_of_many(agreements_selectors.applicable_allotments(at, source=source), at)
        return sorted(usage, key=lambda u: (-percent(u.committed_tpp, u.capacity_tpp), u.allotment.country.name))

    def get_urls(self):
        dashboard = path(
            "dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="agreements_allotment_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request):
        """Allotment use per country for the period containing today, most used first."""
        if not allowed(request.user, USAGE_PERMISSION):
            raise PermissionDenied
        now = timezone.now()
        policy = agreements_selectors.policy_in_force(now)
        regime_source = REGIME_SOURCE[policy.kind]
        source = request.GET.get("source")
        if source not in AllotmentSource.values:
            source = regime_source
        query = usage_table.TableQuery.from_params(request.GET)
        rows = usage_table.select([self._dashboard_row(usage) for usage in self.current_usage(source, now)], query)
        if request.GET.get("format") == "csv":
            return usage_table.csv_response(rows, f"allotment-use-{source}-{now.date().isoformat()}.csv")
        page = usage_table.paginate(rows, query)
        totals = {
            name: whole_h100e(sum(row[f"{name}_tpp"] for row in rows))
            for name in ("capacity", "committed", "pending", "remaining")
        }
        kept = {"source": source, **query.kept()}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Allotment use per country",
            "today": now.date(),
            "policy": policy,
            "source": source,
            "source_label": SOURCE_HEADINGS[source],
            "regime_source": regime_source,
            "sources": [
                {"value": value, "label": label, "applies": value == regime_source, "current": value == source}
                for value, label in SOURCE_HEADINGS.items()
            ],
            "rows": list(page.object_list),
            "matching": len(rows),
            "page": page,
            "query": query,
            "columns": usage_table.headers(query, kept),
            "paging": urlencode({**kept, "sort": query.sort}),
            "csv_url": "?" + urlencode({**kept, "sort": query.sort, "format": "csv"}),
            "totals": totals,
            "regions": Region.choices,
            "region_label": Region(query.region).label if query.region else "",
            "chart": self._chart(request.GET.get("chart"), rows, list(page.object_list), now, kept, query.sort),
            "changelist_url": reverse("admin:agreements_allotment_changelist", current_app=self.admin_site.name),
        }
        return TemplateResponse(request, "admin/agreements/allotment/dashboard.html", context)

    def _chart(self, code: str | None, rows: list[dict], shown: list[dict], now, kept: dict, sort: str) -> dict | None:
        """The chart of the country asked for (`?chart=XX`), else of the first row shown: committed and pending at
        the end of each month of its period. Pending is counted only where the regime draws on this allotment now,
        as in the table. Three queries."""
        row = next((r for r in rows if r["country"].code == code), shown[0] if shown else None)
        if row is None:
            return None
        allotment = row["allotment"]
        days = usage_chart.month_ends(allotment.period_start, allotment.period_end, now.date())
        drawn_now = selectors.regime_allotments(now).get(allotment.country_id) == allotment.pk
        chart = usage_chart.usage_chart(
            country_name=row["country"].name,
            days=days,
            capacity_tpp=row["capacity_tpp"],
            committed=agreements_selectors.committed_by_day(allotment, days),
            pending=selectors.pending_by_day(allotment.country_id, days) if drawn_now else [0] * len(days),
        )
        return {"country": row["country"], "source": row["source"], "chart": chart}

    def _dashboard_row(self, usage: AllotmentUsage) -> dict:
        allotment = usage.allotment
        agreement_url = (
            reverse(
                "admin:agreements_agreement_change", args=[allotment.agreement_id], current_app=self.admin_site.name
            )
            if allotment.agreement_id
            else None
        )
        return {
            "country": allotment.country,
            "allotment": allotment,
            "url": reverse("admin:agreements_allotment_change", args=[allotment.pk], current_app=self.admin_site.name),
            "source": source_text(usage),
            "agreement_url": agreement_url,
            "period": f"{day(allotment.period_start)} – {day(allotment.period_end)}",
            "capacity": whole_h100e(usage.capacity_tpp),
            "committed": whole_h100e(usage.committed_tpp),
            "pending": whole_h100e(usage.pending_tpp),
            "remaining": whole_h100e(usage.remaining_tpp),
            "capacity_tpp": usage.capacity_tpp,
            "committed_tpp": usage.committed_tpp,
            "pending_tpp": usage.pending_tpp,
            "remaining_tpp": usage.remaining_tpp,
            "used_percent": f"{percent(usage.committed_tpp, usage.capacity_tpp):.0f}",
            "bar": usage_bar(
                capacity_tpp=usage.capacity_tpp, committed_tpp=usage.committed_tpp, pending_tpp=usage.pending_tpp
            ),
        }


class PolicySwitchAdmin(PolicyAdmin):
    """The regime switch, its confirmation listing each pending application now and under the proposal."""

    def switch_impact(self, request, proposal: Policy) -> dict:
        """Every pending application determined now and under the proposal (licensing.impact, in bulk): the
        summary, a page of the detail (?page=, ?changed=1 for the changed ones only) and the CSV of all of it.
        Above settings.IMPACT_PREVIEW_SYNC_LIMIT pending cases, a proposal on record's impact is a background run,
        started from its page by a POST (the page, a GET, writes nothing): its progress, then its summary and CSV;
        an unsaved one's is then shown once proposed."""
        if impact_runs.impact_runs_in_background():
            if proposal.pk is None:
                return {"deferred": True}
            run = impact_runs.impact_run_latest(actor=request.user, policy=proposal)
            return {
                "run": run,
                "start_url": self._url("impact_run_start", proposal.pk),
                "offer_start": run is None or impact_runs.impact_run_stale(run),
                "csv_url": self._url("impact_run_csv", proposal.pk, run.pk) if run else "",
            }
        preview = impact.impact_preview(proposal)
        only_changed = request.GET.get("changed") == "1"
        rows = preview.selected(changed=True if only_changed else None)
        page = Paginator(rows, IMPACT_PAGE_SIZE).get_page(request.GET.get("page"))
        return {
            "pending": len(preview.rows),
            "changed": preview.changed,
            "changes": preview.changes(),
            "destinations": preview.destinations(),
            "rows": [row.as_dict() for row in page.object_list],
            "page": page,
            "only_changed": only_changed,
            "paged": proposal.pk is not None,  # a proposal on record has an address to page on
            "csv_url": _impact_csv_url(proposal),
            "at": preview.at,
        }

    def get_urls(self):
        csv = path(
            "<path:object_id>/impact-runs/<int:run_id>/csv/",
            self.admin_site.admin_view(self.impact_run_csv_view),
            name="agreements_policy_impact_run_csv",
        )
        start = path(
            "<path:object_id>/impact-runs/",
            self.admin_site.admin_view(self.impact_run_start_view),
            name="agreements_policy_impact_run_start",
        )
        return [csv, start, *super().get_urls()]

    def impact_run_start_view(self, request, object_id):
        """POST: compute the proposal's impact in the background (the run under way or just finished, if there
        is one), then back to its page, which shows the progress."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not allowed(request.user, "agreements.view_policy"):
            raise PermissionDenied
        proposal = get_object_or_404(Policy, pk=object_id)
        impact_runs.impact_run_for(actor=request.user, policy=proposal)
        return HttpResponseRedirect(reverse("admin:agreements_policy_change", args=[proposal.pk]), status=303)

    def impact_run_csv_view(self, request, object_id, run_id):
        """The whole detail of a finished background run, as CSV."""
        if not allowed(request.user, "agreements.view_policy"):
            raise PermissionDenied
        run = get_object_or_404(ImpactRun, pk=run_id, policy_id=object_id, status=ImpactRunStatus.DONE)
        response = HttpResponse(run.detail_csv, content_type="text/csv")
        stamp = run.at.strftime("%Y%m%d-%H%M") if run.at else "run"
        response["Content-Disposition"] = f'attachment; filename="policy-{run.policy_id}-impact-{stamp}.csv"'
        return response


IMPACT_PAGE_SIZE = 50


def _impact_csv_url(proposal: Policy) -> str:
    """The API's CSV of the whole detail: of the proposal on record, or of the unsaved one by its parameters."""
    if proposal.pk is not None:
        return reverse("policy-proposal-impact-csv", args=[proposal.pk])
    query = {"kind": proposal.kind}
    for name in agreements_selectors.POLICY_PARAMETERS:
        value = getattr(proposal, name)
        if name == "size_bands":
            query[name] = json.dumps(value)
        elif isinstance(value, datetime.date):
            query[name] = value.isoformat()
        else:
            query[name] = str(value)
    return f"{reverse('policy-impact-csv')}?{urlencode(query)}"


class AgreementShipmentsAdmin(AgreementAdmin):
    """Agreements, their deal performance with what was shipped per period and capped party."""

    def shipped(self, agreement: Agreement) -> Mapping[tuple[int, int | None], int]:
        return selectors.shipped_by_allotment_party(list(agreement.allotments.values_list("pk", flat=True)))

    def obligations(self, agreement: Agreement) -> tuple[list[ObligationCounts], RevenueShareTotals]:
        counts = obligation_selectors.deal_obligation_counts(agreement)
        return counts, obligation_selectors.deal_revenue_share(agreement)


admin.site.unregister(Agreement)
admin.site.register(Agreement, AgreementShipmentsAdmin)
admin.site.unregister(Allotment)
admin.site.register(Allotment, AllotmentDemandAdmin)
admin.site.unregister(Policy)
admin.site.register(Policy, PolicySwitchAdmin)
