"""The exporter's lists (SPEC § 5, issue 15): paginated with Django's Paginator (no silent cap), searchable and
filterable by status; and the deletion of a draft from its page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from licensing import selectors
from licensing.choices import ApplicationStatus, LicenceStatus, PartyRole
from licensing.models import Application
from licensing.services import drafts
from licensing.web.views import _attempt, exporter_required

PER_PAGE = 50


def paginate(request, queryset: QuerySet) -> tuple[Page, str]:
    """The requested page (the last one for a page past the end) and the query string of the other filters."""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    return page, others.urlencode()


def _status(request, choices) -> str:
    status = request.GET.get("status", "")
    return status if status in choices.values else ""


@exporter_required
def application_list(request):
    applications = Application.objects.restrict(request.user, "view").select_related("destination")
    status, query = _status(request, ApplicationStatus), request.GET.get("q", "").strip()
    if status:
        applications = applications.filter(status=status)
    if query:
        consignee = Q(parties__role=PartyRole.ULTIMATE_CONSIGNEE, parties__name__icontains=query)
        matches = Q(acn__iexact=query) | Q(name__icontains=query) | Q(destination__name__icontains=query) | consignee
        applications = applications.filter(pk__in=Application.objects.filter(matches).values("pk"))
    page, others = paginate(request, applications.order_by("-id"))
    context = {"page": page, "others": others, "statuses": ApplicationStatus.choices, "status": status, "q": query}
    return render(request, "exporter/application_list.html", context)


@exporter_required
def licence_list(request):
    licences = selectors.licences_for_list_page(request.user)
    status, query = _status(request, LicenceStatus), request.GET.get("q", "").strip()
    if status:
        licences = licences.filter(status=status)
    if query:
        licences = licences.filter(
            Q(number__icontains=query) | Q(application__acn__iexact=query) | Q(application__name__icontains=query)
        )
    page, others = paginate(request, licences.order_by("-id"))
    context = {"page": page, "others": others, "statuses": LicenceStatus.choices, "status": status, "q": query}
    return render(request, "exporter/licence_list.html", context)


@exporter_required
@require_POST
def application_delete(request, pk):
    application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
    label = application.name or "The draft"
    if _attempt(request, drafts.application_delete_draft, application=application) is None:
        return redirect("exporter:application", pk=pk)
    messages.success(request, f"{label} was deleted.")
    return redirect("exporter:applications")
