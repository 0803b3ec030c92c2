"""The agreement workflow in the admin: transitions as list actions and as buttons on an agreement's page, and the
"Add amendment" page. Each calls the same agreements.services function as the API, as the signed-in user; a refusal
is shown as an admin message or next to the form field it concerns, never as an error page."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from agreements import selectors, services
from agreements.admin.display import add_service_error
from agreements.admin.forms import TERMS_FIELDSETS, AmendmentForm, TransitionForm, terms_initial
from agreements.choices import TERMS_EDITABLE_STATUSES, AgreementStatus
from agreements.models import Agreement
from agreements.workflow import AGREEMENT, AMENDABLE_STATUSES, NEGOTIATE
from portal.refusals import REFUSALS, refusal_text

# The transitions taken by hand, in lifecycle order: button label, action description, success message.
# (`expire` happens by date, not by a person.)
TRANSITIONS = {
    "start_negotiation": ("Start negotiation", "Start negotiation on the selected agreements", "Negotiation started"),
    "sign": ("Sign", "Sign the selected agreements (today)", "Signed"),
    "enter_into_force": ("Enter into force", "Enter the selected agreements into force", "Entered into force"),
    "suspend": ("Suspend", "Suspend the selected agreements…", "Suspended"),
    "resume": ("Resume", "Resume the selected agreements…", "Resumed"),
    "terminate": ("Terminate", "Terminate the selected agreements…", "Terminated"),
}


def in_force_today(agreement: Agreement) -> bool:
    today = timezone.localdate()
    return agreement.status == AgreementStatus.IN_FORCE and agreement.valid_from <= today <= agreement.valid_until


def transition_action(name: str):
    def action(modeladmin, request, queryset):
        return modeladmin.transition_selected(request, queryset, name)

    action.__name__ = name
    return admin.action(description=TRANSITIONS[name][1], permissions=["negotiate"])(action)


class AgreementWorkflowMixin:
    """For AgreementAdmin: the workflow pages and actions, gated by `agreements.negotiate_agreement`."""

    def has_negotiate_permission(self, request) -> bool:
        return request.user.has_perm(NEGOTIATE)

    def _workflow_context(self, request, agreement) -> dict:
        if agreement is None:
            return {}
        context = {"agreement_status": agreement.get_status_display(), "agreement_in_force": in_force_today(agreement)}
        if not self.has_negotiate_permission(request):
            return context
        context["agreement_transitions"] = [
            {
                "label": TRANSITIONS[t.name][0],
                "url": self._url("transition", agreement.pk, t.name),
                "reason_required": t.reason_required,
            }
            for t in AGREEMENT.available(agreement.status)
            if t.name in TRANSITIONS
        ]
        if agreement.status in AMENDABLE_STATUSES:
            context["amend_url"] = self._url("amend", agreement.pk)
        return context

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:agreements_agreement_{view}", args=args, current_app=self.admin_site.name)

    # Transitions: the same services as the API, as actions on the list and as buttons on the page

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                wrap(self.transition_view),
                name="agreements_agreement_transition",
            ),
            path("<path:object_id>/amend/", wrap(self.amend_view), name="agreements_agreement_amend"),
            *super().get_urls(),
        ]

    def _apply_transition(self, request, agreement: Agreement, name: str, data: dict) -> Agreement:
        kwargs = {"actor": request.user, "agreement": agreement, "reason": data.get("reason", "")}
        if name == "sign" and data.get("signed_on"):
            kwargs["signed_on"] = data["signed_on"]
        if data.get("effective_at"):
            kwargs["effective_at"] = data["effective_at"]
        return getattr(services, f"agreement_{name}")(**kwargs)

    def transition_selected(self, request, queryset, name: str):
        """An admin action: ask for the reason where one is required, then move each selected agreement."""
        transition = AGREEMENT.get(name)
        agreements = list(queryset)
        data: dict = {}
        if transition.reason_required:
            form = TransitionForm(request.POST if "post" in request.POST else None, transition=transition)
            if not form.is_valid():
                return self._transition_page(request, form, transition, agreements, action_mode=True)
            data = form.cleaned_data
        done = []
        for agreement in agreements:
            try:
                self._apply_transition(request, agreement, name, data)
            except REFUSALS as exc:
                self.message_user(request, f"{agreement.reference}: {refusal_text(exc)}", messages.ERROR)
            else:
                done.append(agreement.reference)
        if done:
            self.message_user(request, f"{TRANSITIONS[name][2]}: {', '.join(done)}.", messages.SUCCESS)
        return None

    def transition_view(self, request, object_id, name):
        """The page behind a transition button: confirm, give the reason, then call the service."""
        if name not in TRANSITIONS:
            raise Http404(f"No transition {name!r}.")
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404("No such agreement.")
        if not self.has_negotiate_permission(request):
            raise PermissionDenied
        change_url = self._url("change", agreement.pk)
        transition = AGREEMENT.get(name)
        if agreement.status not in transition.sources:
            allowed = ", ".join(AgreementStatus(s).label.lower() for s in sorted(transition.sources))
            self.message_user(
                request,
                f"Cannot {TRANSITIONS[name][0].lower()} {agreement.reference}: it is "
                f"{agreement.get_status_display().lower()}; allowed only when {allowed}.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        form = TransitionForm(request.POST if request.method == "POST" else None, transition=transition)
        if form.is_valid():
            try:
                self._apply_transition(request, agreement, name, form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            except REFUSALS as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                self.message_user(request, f"{TRANSITIONS[name][2]}: {agreement.reference}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return self._transition_page(request, form, transition, [agreement], action_mode=False)

    def _transition_page(self, request, form, transition, agreements, *, action_mode: bool):
        label = TRANSITIONS[transition.name][0]
        single = agreements[0] if len(agreements) == 1 else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{label}: {single.reference}" if single else f"{label} {len(agreements)} agreements",
            "label": label,
            "transition": transition,
            "target_label": AgreementStatus(transition.target).label,
            "agreements": agreements,
            "single": single,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self),
            "media": self.media + form.media,
            "action_mode": action_mode,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": self._url("change", single.pk) if single and not action_mode else self._url("changelist"),
        }
        return TemplateResponse(request, "admin/agreements/agreement/transition.html", context)

    # Amendments

    def amend_view(self, request, object_id):
        """A new terms version for a signed, in-force or suspended agreement (agreements.services.amendment_create)."""
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404("No such agreement.")
        if not self.has_negotiate_permission(request):
            raise PermissionDenied
        change_url = self._url("change", agreement.pk)
        if agreement.status not in AMENDABLE_STATUSES:
            how = (
                "edit its terms on its page while it is under negotiation."
                if agreement.status in TERMS_EDITABLE_STATUSES
                else "a terminated or expired agreement takes no amendments."
            )
            self.message_user(
                request, f"{agreement.reference} is {agreement.get_status_display().lower()}: {how}", messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        latest = selectors.current_terms(agreement)
        initial = {**terms_initial(latest), "effective_from": max(timezone.localdate(), latest.effective_from)}
        form = AmendmentForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            try:
                amendment = services.amendment_create(
                    actor=request.user,
                    agreement=agreement,
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                    terms=form.terms_payload(),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            except REFUSALS as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                self.message_user(
                    request,
                    f"Amendment recorded: {agreement.reference} terms version {amendment.version}, "
                    f"effective {amendment.effective_from}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        fieldsets = [
            ("Amendment", {"fields": ["effective_from", "reason"]}),
            *[(name, {**options}) for name, options in TERMS_FIELDSETS],
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Amend {agreement.reference}",
            "agreement": agreement,
            "latest": latest,
            "form": form,
            "adminform": helpers.AdminForm(form, fieldsets, {}, model_admin=self),
            "media": self.media + form.media,
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/agreements/agreement/amend.html", context)
