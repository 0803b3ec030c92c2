"""The "Add amendment" page of an agreement: a plain form → service → redirect page (an amendment is new terms,
not a status change, so it is no workflow action). It calls agreements.services.amendment_create as the signed-in
user; a refusal comes back on the form, next to the field it concerns, and nothing is written."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from agreements import selectors, services
from agreements.admin.display import add_service_error
from agreements.admin.forms import TERMS_FIELDSETS, AmendmentForm, terms_initial
from agreements.choices import TERMS_EDITABLE_STATUSES
from agreements.workflow import AMENDABLE_STATUSES, NEGOTIATE
from portal.permissions import allowed
from portal.refusals import REFUSALS, refusal_text


class AmendmentViewMixin:
    """For AgreementAdmin: `<id>/amend/` (admin:agreements_agreement_amend), for negotiators."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/amend/", wrap(self.amend_view), name="agreements_agreement_amend"),
            *super().get_urls(),
        ]

    def amend_url(self, agreement) -> str:
        return reverse("admin:agreements_agreement_amend", args=[agreement.pk], current_app=self.admin_site.name)

    def may_amend(self, request, agreement) -> bool:
        return agreement.status in AMENDABLE_STATUSES and allowed(request.user, NEGOTIATE)

    def amend_view(self, request, object_id):
        """A new terms version for a signed, in-force or suspended agreement."""
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404("No such agreement.")
        if not allowed(request.user, NEGOTIATE):
            raise PermissionDenied
        change_url = self.change_url(agreement)
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
        initial["investment_milestones"] = []  # an amendment adds milestones; the earlier ones stay binding
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
