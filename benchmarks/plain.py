"""The yardstick for the list endpoints: a plain Django view returning the same rows with the same queries
(the same selector, filters, ordering and page slice) as GET /api/v1/applications/, with the JSON built by hand
instead of by DRF's filter backend, paginator and serializers."""

from django.db.models import Exists, OuterRef
from django.http import HttpResponseForbidden, JsonResponse
from django.urls import include, path

from agreements.units import h100e
from licensing import selectors
from licensing.choices import PartyRole
from licensing.models import Referral

PAGE = 50


def _party(party) -> dict:
    return {
        "role": party.role,
        "name": party.name,
        "address": party.address,
        "country": party.country_id,
        "hq_country": party.hq_country_id,
    }


def _parties(application) -> dict:
    parties = list(application.parties.all())
    by_role = {role: [_party(p) for p in parties if p.role == role] for role in PartyRole.values}
    return {
        "ultimate_consignee": (by_role[PartyRole.ULTIMATE_CONSIGNEE] or [None])[0],
        "end_users": by_role[PartyRole.END_USER],
        "purchaser": (by_role[PartyRole.PURCHASER] or [None])[0],
        "intermediate_consignees": by_role[PartyRole.INTERMEDIATE_CONSIGNEE],
    }


def _line(line) -> dict:
    product = line.product
    return {
        "product": line.product_id,
        "product_name": str(product),
        "eccn": product.eccn,
        "quantity": line.quantity,
        "unit_price_usd": line.unit_price_usd,
        "tpp": line.quantity * product.tpp if product.is_controlled else 0,
    }


def _exporter_row(application) -> dict:
    licence = getattr(application, "licence", None)
    return {
        "id": application.pk,
        "acn": application.acn,
        "status": application.status,
        "destination": application.destination_id,
        "end_use_category": application.end_use_category,
        "end_use": application.end_use,
        "parties": _parties(application),
        "items": [_line(line) for line in application.lines.all()],
        "determination": application.determination,
        "submitted_at": application.submitted_at,
        "decision_reason": application.decision_reason,
        "info_requests": [
            {"question": r.question, "asked_at": r.asked_at, "answer": r.answer, "answered_at": r.answered_at}
            for r in application.info_requests.all()
        ],
        "licence": {"number": licence.number, "status": licence.status, "valid_until": licence.valid_until}
        if licence
        else None,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
    }


def _staff_row(application) -> dict:
    return {
        **_exporter_row(application),
        "organisation": application.organisation.name,
        "requested_tpp": application.requested_tpp,
        "requested_h100e": str(h100e(application.requested_tpp)),
        "allotment": application.allotment_id,
        "due_at": application.due_at,
        "paused_at": application.paused_at,
        "officer": application.officer.username if application.officer else None,
        "recommendation": application.recommendation,
        "recommended_by": application.recommended_by.username if application.recommended_by else None,
        "recommendation_rationale": application.recommendation_rationale,
        "referrals": [
            {
                "agency": r.agency.code,
                "referred_at": r.referred_at,
                "due_at": r.due_at,
                "recommendation": r.recommendation,
                "rationale": r.rationale,
                "answered_at": r.answered_at,
            }
            for r in application.referrals.all()
        ],
        "decided_at": application.decided_at,
    }


def applications(request):
    """GET /plain/applications/?status=…&agency=…&before=…: a page, newest first, as the API would list it."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    queryset = selectors.applications_for_listing(request.user)
    if statuses := request.GET.getlist("status"):
        queryset = queryset.filter(status__in=statuses)
    if before := request.GET.get("before"):  # the API's cursor: the rows after the last one seen
        queryset = queryset.filter(pk__lt=int(before))
    if agency := request.GET.get("agency"):
        queryset = queryset.filter(Exists(Referral.objects.filter(application=OuterRef("pk"), agency__code=agency)))
    page = list(queryset.order_by("-id")[: PAGE + 1])
    row = _staff_row if selectors.sees_internal_fields(request.user) else _exporter_row
    more = len(page) > PAGE
    return JsonResponse({"next": page[PAGE - 1].pk if more else None, "results": [row(a) for a in page[:PAGE]]})


urlpatterns = [path("plain/applications/", applications), path("", include("portal.urls"))]
