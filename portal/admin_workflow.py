"""Workflow actions as buttons and forms on a record's admin page, for any app's transition table.

A ModelAdmin declares its `workflow` (a portal.workflow.Workflow), the `workflow_actions` it offers by
transition name, and `record_kwarg` (the service's keyword for the record). The page offers exactly the
transitions the table lets this person take from the record's status (`Workflow.available_to`), less those the
admin says are not for them (`offered`), each with why it cannot be taken yet (`blocked`). Each action posts to
one admin view that calls the record's service with `actor=request.user`; a refusal is shown on the page and
nothing is written.

Actions named in `workflow_list_actions` are also the list's actions on the selected records, offered to whoever
the table permits: one whose form is valid with nothing typed is taken at once, any other asks for its inputs on
a page listing the records first; each record's refusal is reported and the others go ahead."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal.refusals import REFUSALS, add_refusal_to_form, refusal_text
from portal.workflow import SYSTEM, Workflow


class ActionForm(forms.Form):
    """An action's inputs, bound to the record it is taken on. It only shapes what the person typed into the
    arguments its service takes (`service_kwargs`); the service decides whether the action is allowed."""

    def __init__(self, *args, record=None, **kwargs):
        self.record = record
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


@dataclass(frozen=True)
class WorkflowAction:
    name: str  # the transition's name in the app's workflow table, and the last part of the action's URL
    label: str  # the button
    help: str  # one sentence on what happens
    form_class: type[ActionForm]
    service: Callable
    success: str  # formatted with {record}
    danger: bool = False  # ends the record's life: shown apart
    confirm: str = ""  # cannot be undone: the question asked before it is taken (page, list and browser alike)
    list_description: str = ""  # as a list action on the selected records (default: from the label)
    # Asks on a page of its own before it is taken: (admin, record, valid form) → what the act will do, shown in
    # answer to the form's POST (its inputs carried in the page's hidden fields, never in a URL, where logs and
    # browser history would keep a justification); that page posts them to `<id>/actions/<name>/confirm/`, which
    # takes the action.
    preview: Callable | None = None

    @property
    def asks_on_a_page(self) -> bool:
        """Whether it has a confirmation page (then no browser dialog asks too). Templates read this, never
        `preview`: a template calls a callable it is given, and the call without arguments failed silently."""
        return self.preview is not None


@dataclass
class Offer:
    """An action offered on a record's page: its form, or why it cannot be taken yet."""

    action: WorkflowAction
    url: str
    form: ActionForm | None = None
    blocked: str = ""


class WorkflowActionsMixin:
    """For a ModelAdmin: `workflow`, `workflow_actions` by name and `record_kwarg`. Adds
    `<id>/actions/<name>/` and its page, and the panel of offers on the change page."""

    workflow: Workflow | None = None
    workflow_actions: dict[str, WorkflowAction] = {}
    workflow_list_actions: tuple[str, ...] = ()  # also offered on the list, for the selected records
    record_kwarg = ""
    action_template = "admin/portal/workflow_action.html"
    confirm_template = "admin/portal/workflow_confirm.html"
    list_action_template = "admin/portal/workflow_list_action.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_action"
        return [
            path(
                "<path:object_id>/actions/<slug:action>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name=f"{name}_confirm",
            ),
            path("<path:object_id>/actions/<slug:action>/", self.admin_site.admin_view(self.action_view), name=name),
            *super().get_urls(),
        ]

    def confirm_url(self, obj, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_action_confirm",
            args=[obj.pk, name],
            current_app=self.admin_site.name,
        )

    def action_url(self, obj, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_action",
            args=[obj.pk, name],
            current_app=self.admin_site.name,
        )

    def change_url(self, obj) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )

    # What a record's page offers: the table's, for this person, now.

    def offers(self, request, obj) -> list[Offer]:
        """The actions this person may take on the record now; blocked ones say what they wait for."""
        if self.workflow is None:
            raise NotImplementedError("A WorkflowActionsMixin admin names its workflow table.")
        return [
            self.offer(transition.name, obj, blocked=self.blocked(request, obj, transition.name))
            for transition in self.workflow.available_to(obj.status, request.user)
            if transition.name in self.workflow_actions and self.offered(request, obj, transition.name)
        ]

    def offered(self, request, obj, name: str) -> bool:
        """Whether the action is this person's to take at all on this record (beyond the table's permission)."""
        return True

    def blocked(self, request, obj, name: str) -> str:
        """Why the action cannot be taken yet (empty: it can). Ask the app's selectors: the service's rules."""
        return ""

    def offer(self, name: str, obj, *, blocked: str = "") -> Offer:
        action = self.workflow_actions[name]
        form = None if blocked else action.form_class(record=obj, auto_id=f"id_{name}_%s")
        return Offer(action=action, url=self.action_url(obj, name), form=form, blocked=blocked)

    def state_sentence(self, request, obj) -> str:
        """Where the record stands and what it waits for, in a sentence or two."""
        return ""

    def related_links(self, request, obj) -> list[tuple[str, str]]:
        return []

    def is_closed(self, obj) -> bool:
        """No way out of its status in the table: the record's life has ended."""
        return self.workflow is not None and not self.workflow.available(obj.status)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if obj is not None:
            context["workflow"] = {
                "state": self.state_sentence(request, obj),
                "offers": self.offers(request, obj),
                "closed": self.is_closed(obj),
                "links": self.related_links(request, obj),
            }
        return super().change_view(request, object_id, form_url, context)

    def _action_record(self, request, object_id, action):
        spec = self.workflow_actions.get(action)
        obj = self.get_object(request, unquote(object_id))
        if spec is None or obj is None:
            raise Http404("No such record or action.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return spec, obj

    def _take(self, request, spec: WorkflowAction, obj, form: ActionForm):
        """Call the service with the valid form: back to the record's page, or None with the refusal on the form."""
        try:
            spec.service(actor=request.user, **{self.record_kwarg: obj}, **form.service_kwargs())
        except REFUSALS as exc:
            add_refusal_to_form(form, exc)
            return None
        self.message_user(request, spec.success.format(record=self.record_label(obj)), messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(obj))

    def action_view(self, request, object_id, action):
        """GET: the action's form on a page of its own. POST: call the service, or show why it refused; an action
        with a `preview` goes to its confirmation page first, with what was typed."""
        spec, obj = self._action_record(request, object_id, action)
        form = spec.form_class(request.POST if request.method == "POST" else None, record=obj)
        if request.method == "POST" and form.is_valid():
            if spec.preview is not None:
                return self.confirm_page(request, spec, obj, form)
            done = self._take(request, spec, obj, form)
            if done is not None:
                return done
        return self.action_page(request, spec, obj, form)

    def confirm_view(self, request, object_id, action):
        """An action's confirmation step, posted from its confirmation page: takes it. Invalid inputs or a refusal
        go back to the action's form, saying why; nothing is written. A GET (nothing to confirm) goes to the form."""
        spec, obj = self._action_record(request, object_id, action)
        if spec.preview is None:
            raise Http404("This action has no confirmation step.")
        if request.method != "POST":
            return HttpResponseRedirect(self.action_url(obj, action), status=303)
        form = spec.form_class(request.POST, record=obj)
        if not form.is_valid():
            return self.action_page(request, spec, obj, form)
        done = self._take(request, spec, obj, form)
        return done if done is not None else self.action_page(request, spec, obj, form)

    def confirm_page(self, request, spec: WorkflowAction, obj, form: ActionForm):
        """What the action will do with the valid inputs just posted, and one button that posts them again to
        `confirm_view` to take it. Reads only: computing the preview writes nothing."""
        inputs = [(k, v) for k, values in request.POST.lists() if k != "csrfmiddlewaretoken" for v in values]
        context = {
            **self._page_context(request, spec, obj, form, title=f"Confirm — {spec.label}: {obj}"),
            "inputs": inputs,
            "preview": spec.preview(self, obj, form),
            "action_url": self.action_url(obj, spec.name),
            "confirm_url": self.confirm_url(obj, spec.name),
            "media": self.media,
        }
        return TemplateResponse(request, self.confirm_template, context)

    def action_page(self, request, spec: WorkflowAction, obj, form: ActionForm):
        context = {
            **self._page_context(request, spec, obj, form, title=f"{spec.label}: {obj}"),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.action_template, context)

    def _page_context(self, request, spec: WorkflowAction, obj, form: ActionForm, *, title: str) -> dict:
        """What an action's form page and its confirmation page both show: the record, the form, and whether the
        action is open to this person now (or why not)."""
        offered = {offer.action.name: offer for offer in self.offers(request, obj)}
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "action": spec,
            "record": obj,
            "form": form,
            "blocked": offered[spec.name].blocked if spec.name in offered else "",
            "not_offered": spec.name not in offered,
            "summary": self.action_summary(obj),
            "change_url": self.change_url(obj),
        }

    def action_summary(self, obj) -> list[tuple[str, str]]:
        """A few label/value pairs shown above an action's form, so the person knows which record it is."""
        return [("Record", str(obj))]

    def record_label(self, obj) -> str:
        """How messages name a record."""
        return str(obj)

    # The same actions on the list, for the selected records

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET or self.workflow is None:
            return actions
        for name in self.workflow_list_actions:
            transition, spec = self.workflow.get(name), self.workflow_actions[name]
            if transition.permission != SYSTEM and self.workflow.permits(transition, request.user):
                plural = self.opts.verbose_name_plural
                actions[name] = (
                    self._list_action(name),
                    name,
                    spec.list_description or f"{spec.label}: selected {plural}",
                )
        return actions

    @staticmethod
    def _list_action(name: str):
        def action(modeladmin, request, queryset):
            return modeladmin.take_on_selected(request, queryset, name)

        action.__name__ = name
        return action

    def take_on_selected(self, request, queryset, name: str):
        """The list action `name`: its form's inputs first where it needs any, then the service for each record."""
        spec, records = self.workflow_actions[name], list(queryset)
        confirmed = "post" in request.POST
        form = spec.form_class(request.POST if confirmed else {}, record=None)
        if not form.is_valid() or (spec.confirm and not confirmed):  # an act that cannot be undone asks first
            return self.list_action_page(request, spec, form if confirmed else spec.form_class(record=None), records)
        done = []
        for record in records:
            try:
                spec.service(actor=request.user, **{self.record_kwarg: record}, **form.service_kwargs())
            except REFUSALS as exc:
                self.message_user(request, f"{self.record_label(record)}: {refusal_text(exc)}", messages.ERROR)
            else:
                done.append(self.record_label(record))
        if done:
            self.message_user(request, spec.success.format(record=", ".join(done)), messages.SUCCESS)
        return None

    def list_action_page(self, request, spec: WorkflowAction, form: ActionForm, records: list):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{spec.label}: {len(records)} {self.opts.verbose_name_plural}",
            "action": spec,
            "records": records,
            "rows": [self.action_summary(record) for record in records],
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist", current_app=self.admin_site.name
            ),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.list_action_template, context)
