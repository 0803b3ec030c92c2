"""Exporter pages: server-rendered forms that call the same services as the API."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agreements.units import h100e
from licensing import letters, selectors, services
from licensing.choices import LicenceStatus, ObligationKind, PartyRole
from licensing.models import Application, Obligation, UsSalesReport
from licensing.services import drafts as draft_services
from licensing.services import letters as letter_services
from licensing.services.obligations import revenue_shares
from licensing.templatetags.documents import ACCEPT
from licensing.vocabulary import labels
from licensing.web.forms import (
    AnswerForm,
    ApplicationForm,
    EndUserFormSet,
    LineFormSet,
    NotificationForm,
    ObligationSubmitForm,
    ShipmentForm,
    UsSalesReportForm,
)
from licensing.web.timeline import exporter_timeline
from portal.permissions import allowed
from portal.refusals import REFUSALS, add_refusal_to_form, refusal_text

EXPORTER_PAGES = "licensing.file_application"  # the exporter pages are for those who file applications


def exporter_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not allowed(request.user, EXPORTER_PAGES):
            raise PermissionDenied("These pages are for exporters.")
        return view(request, *args, **kwargs)

    return wrapped


def _attempt(request, service: Callable, form=None, **kwargs):
    """Call a service; refusals become messages (or form errors) on the page, never a 500."""
    try:
        return service(actor=request.user, **kwargs)
    except REFUSALS as refusal:
        if form is not None and isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
            add_refusal_to_form(form, refusal)
        else:
            messages.error(request, refusal_text(refusal))
    return None


def home(request):
    """Exporters land on their applications; agency staff on the admin."""
    if not request.user.is_authenticated:
        return redirect("login")
    if allowed(request.user, EXPORTER_PAGES):
        return redirect("exporter:applications")
    return redirect("admin:index")


# Applications


def _form_context(form, end_users, lines, **extra):
    # The live preview words the engine's answer with the same labels as every page (licensing.vocabulary).
    vocabulary = {kind: labels(kind) for kind in ("outcome", "presumption", "policy_kind")}
    return {"form": form, "end_users": end_users, "lines": lines, "vocabulary": vocabulary, **extra}


def _bound_forms(request, initial=None, end_user_initial=None, line_initial=None):
    data = request.POST if request.method == "POST" else None
    return (
        ApplicationForm(data, initial=initial),
        EndUserFormSet(data, prefix="end_users", initial=end_user_initial),
        LineFormSet(data, prefix="lines", initial=line_initial),
    )


def _service_arguments(form, end_users, lines) -> dict:
    users = [f.cleaned_data for f in end_users if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return {
        "name": form.cleaned_data.get("name", ""),
        "destination": form.cleaned_data["destination"],
        "export_from": form.cleaned_data["export_from"],
        "end_use_category": form.cleaned_data["end_use_category"],
        "end_use": form.cleaned_data["end_use"],
        "parties": form.parties(users),
        "items": [f.cleaned_data for f in lines if f.cleaned_data],
    }


@exporter_required
def application_new(request):
    form, end_users, lines = _bound_forms(request)
    if request.method == "POST" and all(x.is_valid() for x in (form, end_users, lines)):
        application = _attempt(
            request, services.application_create, form=form, **_service_arguments(form, end_users, lines)
        )
        if application is not None:
            messages.success(request, "Draft saved. Check it, then submit it to the agency.")
            return redirect("exporter:application", pk=application.pk)
    return render(request, "exporter/application_form.html", _form_context(form, end_users, lines, editing=None))


@exporter_required
def application_edit(request, pk):
    application = get_object_or_404(selectors.applications_for_listing(request.user), pk=pk)
    if "edit" not in selectors.available_actions(application, request.user):
        messages.error(request, "A submitted application cannot be edited; withdraw it and file a new one.")
        return redirect("exporter:application", pk=pk)
    form, end_users, lines = _bound_forms(request, *_initial(application))
    if request.method == "POST" and all(x.is_valid() for x in (form, end_users, lines)):
        arguments = _service_arguments(form, end_users, lines)
        if _attempt(request, services.application_update, form=form, application=application, **arguments):
            messages.success(request, "Draft updated.")
            return redirect("exporter:application", pk=pk)
    return render(request, "exporter/application_form.html", _form_context(form, end_users, lines, editing=application))


def _initial(application):
    parties = list(application.parties.all())
    consignee = next(p for p in parties if p.role == PartyRole.ULTIMATE_CONSIGNEE)
    purchaser = next((p for p in parties if p.role == PartyRole.PURCHASER), None)
    initial = {
        "name": application.name,
        "destination": application.destination_id,
        "export_from": application.export_from_id,
        "end_use_category": application.end_use_category,
        "end_use": application.end_use,
        "consignee_name": consignee.name,
        "consignee_address": consignee.address,
        "consignee_country": consignee.country_id,
        "purchaser_name": purchaser.name if purchaser else "",
        "purchaser_address": purchaser.address if purchaser else "",
        "purchaser_country": purchaser.country_id if purchaser else None,
    }
    end_users = [
        {"name": p.name, "address": p.address, "country": p.country_id, "hq_country": p.hq_country_id}
        for p in parties
        if p.role == PartyRole.END_USER
    ]
    lines = [
        {"product": line.product_id, "quantity": line.quantity, "unit_price_usd": line.unit_price_usd}
        for line in application.lines.all()
    ]
    return initial, end_users, lines


@exporter_required
def application_detail(request, pk):
    # The page names the destination (the listing shows only its code, on the row): joined, not a query more.
    application = get_object_or_404(
        selectors.applications_for_listing(request.user).select_related("destination"), pk=pk
    )
    open_question = next((r for r in application.info_requests.all() if r.is_open), None)
    licence = getattr(application, "licence", None)
    decided_lines = letters.letter_lines(application, licence) if licence else []
    can = _can(application, request.user)
    return render(
        request,
        "exporter/application_detail.html",
        {
            "application": application,
            "parties": application.parties.all(),
            "lines": application.lines.all(),
            "timeline": exporter_timeline(application),
            "open_question": open_question,
            "can": can,
            "answer_form": AnswerForm(),
            "requested_h100e": h100e(application.requested_tpp),
            "licence": licence,
            "decided_lines": decided_lines,  # requested against approved, and why a line was cut
            "approved_in_part": any(line.cut for line in decided_lines),
            "has_letter": application.status in letter_services.DECIDED,
            "to_affirm": selectors.certifications_to_affirm(application) if "submit" in can else (),
            "declaration_text": selectors.declaration_in_effect().text if "submit" in can else "",
        },
    )


def _can(record, user) -> dict[str, bool]:
    """What the page may offer: the transitions the table lets this person take now, by name."""
    return dict.fromkeys(selectors.available_actions(record, user), True)


def _application_action(service: Callable, success: str, form_class=None):
    @exporter_required
    @require_POST
    def view(request, pk):
        application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect("exporter:application", pk=pk)
        arguments = form.cleaned_data if form is not None else {}
        if _attempt(request, service, application=application, **arguments):
            messages.success(request, success)
        return redirect("exporter:application", pk=pk)

    return view


@exporter_required
@require_POST
def application_submit(request, pk):
    """Submit, with the certifications ticked on the page (each one the programme requires is a checkbox)."""
    application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
    certifications = [int(value) for value in request.POST.getlist("certifications") if value.isdigit()]
    declared = request.POST.get("declaration") == "true"
    if _attempt(
        request,
        services.application_submit,
        application=application,
        declaration=declared,
        certifications=certifications,
    ):
        messages.success(request, "Submitted. Your ACN is shown below.")
    return redirect("exporter:application", pk=pk)


@exporter_required
@require_POST
def draft_line_remove(request, pk, line_pk):
    """Remove one item of a draft (a POST button on the draft's page); refused once submitted."""
    application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
    if _attempt(request, draft_services.draft_line_remove, application=application, line_id=line_pk):
        messages.success(request, "Item removed from the draft.")
    return redirect("exporter:application", pk=pk)


@exporter_required
@require_POST
def draft_end_user_remove(request, pk, party_pk):
    """Remove one end user of a draft (a POST button on the draft's page); refused once submitted."""
    application = get_object_or_404(Application.objects.restrict(request.user, "view"), pk=pk)
    if _attempt(request, draft_services.draft_end_user_remove, application=application, party_id=party_pk):
        messages.success(request, "End user removed from the draft.")
    return redirect("exporter:application", pk=pk)


application_withdraw = _application_action(services.application_withdraw, "Application withdrawn.")
application_respond = _application_action(services.application_respond, "Answer sent; review resumes.", AnswerForm)


# Licences


@exporter_required
def licence_detail(request, number):
    licence = get_object_or_404(selectors.licences_for_listing(request.user), number=number)
    lines = list(licence.lines.all())
    form = ShipmentForm(request.POST or None, lines=lines, initial={"shipped_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        shipment = _attempt(
            request,
            services.shipment_report,
            form=form,
            licence=licence,
            shipped_on=form.cleaned_data["shipped_on"],
            items=form.items(),
            evidence_reference=form.cleaned_data.get("evidence_reference", ""),
            invoice_value_usd=form.cleaned_data.get("invoice_value_usd"),
        )
        if shipment is not None:
            messages.success(request, "Shipment recorded.")
            return redirect("exporter:licence", number=number)
    shipments = [(shipment, selectors.shipment_still_needs(shipment)) for shipment in licence.shipments.all()]
    context = {
        "licence": licence,
        "lines": lines,
        "form": form,
        "can": _can(licence, request.user),
        "shipments": shipments,
        "remaining": _remaining(licence),
        "obligations": list(licence.obligation_set.prefetch_related("submissions__documents")),
        "accept": ACCEPT,
        "may_submit": allowed(request.user, "licensing.submit_obligation"),
        "owes_revenue_share": bool(revenue_shares(licence)),
    }
    return render(request, "exporter/licence_detail.html", context)


def _remaining(licence) -> dict[str, object]:
    """What the unshipped part of each line is: still to ship, waiting on reinstatement, or gone for good."""
    if licence.status == LicenceStatus.ACTIVE:
        return {"heading": "Remaining", "shippable": True, "note": ""}
    if licence.status == LicenceStatus.SUSPENDED:
        note = "The licence is suspended: nothing may be shipped until it is reinstated."
        return {"heading": "Remaining once reinstated", "shippable": False, "note": note}
    if licence.status == LicenceStatus.EXHAUSTED:
        return {"heading": "Remaining", "shippable": False, "note": "Everything approved has been shipped."}
    note = (
        f"The licence is {licence.get_status_display().lower()}: the unshipped units may not be shipped, "
        "and their quota went back to the country's allotment."
    )
    return {"heading": "Not shipped", "shippable": False, "note": note}


@exporter_required
@require_POST
def obligation_submit(request, number, pk):
    """The exporter's report or evidence against an obligation, or the payment of a revenue share."""
    obligation = get_object_or_404(
        Obligation.objects.restrict(request.user, "view").select_related("licence"), pk=pk, licence__number=number
    )
    form = ObligationSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("exporter:licence", number=number)
    data = form.cleaned_data
    files = request.FILES.getlist("files")
    if obligation.kind == ObligationKind.REVENUE_SHARE:
        done = _attempt(
            request,
            services.obligation_record_payment,
            obligation=obligation,
            amount_paid_usd=data["amount_paid_usd"],
            reference=data["reference"],
            files=files,
        )
    else:
        done = _attempt(
            request,
            services.obligation_submit,
            obligation=obligation,
            text=data["text"],
            reference=data["reference"],
            files=files,
        )
    if done is not None:
        messages.success(request, "Submitted: a licensing officer will review it.")
    return redirect("exporter:licence", number=number)


# US-sales reports (the base of a programme's US-volume ratio)


@exporter_required
def us_sales_reports(request):
    if not allowed(request.user, "licensing.file_us_sales_report"):
        raise PermissionDenied("Only exporters attest US sales.")
    form = UsSalesReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = _attempt(request, services.us_sales_report_file, form=form, **form.cleaned_data)
        if report is not None:
            messages.success(
                request, f"Attested: {report.units:,} × {report.product} sold to US customers in {report.period}."
            )
            return redirect("exporter:us_sales_reports")
    reports = UsSalesReport.objects.restrict(request.user, "view").select_related("product", "attested_by")
    return render(request, "exporter/us_sales_reports.html", {"form": form, "reports": reports[:200]})


# LPP notifications


@exporter_required
def notification_list(request):
    form = NotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notification = _attempt(
            request,
            services.notification_file,
            form=form,
            destination=data["destination"],
            consignee=data["consignee"],
            end_user_hq=[data["end_user_hq"]],
            items=[{"product": data["product"], "quantity": data["quantity"]}],
        )
        if notification is not None:
            messages.success(request, f"Notification filed for {notification.consignee}.")
            return redirect("exporter:notifications")
    usage = _consignee_usage(request, form)
    from licensing.web.lists import paginate  # the lists module imports this one

    notifications = selectors.notifications_for_listing(request.user).select_related("destination")
    query = request.GET.get("q", "").strip()
    if query:
        notifications = notifications.filter(Q(consignee__icontains=query) | Q(destination__name__icontains=query))
    page, others = paginate(request, notifications.order_by("-id"))
    context = {"form": form, "page": page, "others": others, "q": query, "usage": usage}
    return render(request, "exporter/notification_list.html", context)


def _consignee_usage(request, form) -> dict | None:
    """The "this consignee's use" box: by register party (picked from the type-ahead, or matched by name)."""
    consignee = request.GET.get("consignee") or (form.data.get("consignee") if form.is_bound else "")
    country = (request.GET.get("country") or (form.data.get("destination") if form.is_bound else "") or "").upper()
    party_id = request.GET.get("party", "")
    if not (consignee or party_id):
        return None
    found = selectors.consignee_usage_lookup(
        request.user, party_id=int(party_id) if party_id.isdigit() else None, name=consignee, country=country[:2]
    )
    usage = {"consignee": consignee, "country": country[:2], "party": found.party, "candidates": found.candidates}
    if found.party is not None:
        used, threshold = selectors.consignee_lpp_usage(found.party.pk, timezone.localdate().year)
        usage.update(
            used_h100e=h100e(used),
            threshold_h100e=h100e(threshold),
            percent=min(100, round(100 * used / threshold)) if threshold else 100,
        )
    return usage
