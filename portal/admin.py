from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from portal import display, inbox, services
from portal.choices import AgencyCode, Role
from portal.models import Agency, AuditEvent, InboxMessage, Organisation
from portal.permissions import allowed
from portal.refusals import REFUSALS, add_refusal_to_form, refusal_text
from portal.selectors import audit_distinct_values, audit_events_for

# The stock user and group admins show password, superuser, staff and permission fields; the DRF token admin
# shows token keys. None of them is for this portal: users are managed below, through the audited services.
TOKEN_APPS = ("authtoken", "knox")


def _unregister_stock_admins() -> None:
    models = [User, Group]
    for label in TOKEN_APPS:
        if any(config.label == label for config in apps.get_app_configs()):
            models.extend(apps.get_app_config(label).get_models())
    for model in models:
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_stock_admins()


class ReadOnlyAdminMixin:
    """Records that nobody edits in the admin: decided cases, the audit trail, ledgers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def audit_history(target_type: str, target_id: str | int) -> QuerySet[AuditEvent]:
    """The newest 200 events of a record, with their actors, for the history panel of its change page."""
    return audit_events_for(target_type=target_type, target_id=target_id).select_related("actor")[:200]


class AuditHistoryMixin:
    """Shows the audit trail of the record on its change page."""

    change_form_template = "admin/portal/change_form_with_audit.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["audit_events"] = audit_history(self.model._meta.label_lower, object_id)
        return super().change_view(request, object_id, form_url, extra_context)


class _AuditColumnFilter(admin.SimpleListFilter):
    """A filter on an indexed column of the audit trail, its choices read by walking the index (Django's own
    filter and date hierarchy run DISTINCT over every event: over a second at 521,000 events under load)."""

    column = ""

    def lookups(self, request, model_admin):
        return [(value, self.label_of(value)) for value in audit_distinct_values(self.column)]

    def label_of(self, value: str) -> str:
        return value

    def queryset(self, request, queryset):
        return queryset.filter(**{self.column: self.value()}) if self.value() else queryset


class VerbFilter(_AuditColumnFilter):
    title = "what"
    parameter_name = column = "verb"

    def label_of(self, value: str) -> str:
        return display.verb(value)


class TargetTypeFilter(_AuditColumnFilter):
    title = "target type"
    parameter_name = column = "target_type"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "what", "target_type", "target_repr", "actor"]
    # A date range filter, not date_hierarchy: the hierarchy's year links are a DISTINCT over every event.
    list_filter = [VerbFilter, TargetTypeFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["verb", "target_repr", "target_id"]
    list_select_related = ["actor"]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, "portal.view_auditevent")

    @admin.display(description="What", ordering="verb")
    def what(self, event):
        return display.verb(event.verb)


@admin.register(Organisation)
class OrganisationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserForm(forms.Form):
    """What a policy administrator may set on an account. No password, superuser, staff or permission fields."""

    username = forms.CharField(max_length=150, help_text="Never changes once the account exists.")
    email = forms.EmailField(label="E-mail address", help_text="The link to set a password is sent here.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Access to the staff administration follows the roles: every role but exporter uses it.",
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, help_text="Exporters act for this organisation only."
    )
    agency = forms.ChoiceField(
        choices=[("", "—"), *AgencyCode.choices], required=False, help_text="Agency reviewers need one."
    )
    is_active = forms.BooleanField(
        label="Active", required=False, help_text="A deactivated account cannot sign in; its history stays."
    )

    def __init__(self, *args, creating: bool, email_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]
            return
        del self.fields["username"]
        self.fields["email"].required = False
        if email_locked:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = (
                "Stays as it is once the user has set a password: a reset link sent to a new address would hand "
                "the account to whoever reads it."
            )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["organisation"] = data["organisation"].name if data.get("organisation") else None
        data["agency"] = data.get("agency") or None
        return data


@admin.register(User)
class PortalUserAdmin(admin.ModelAdmin):
    """Accounts, through portal.services' user functions only (form → service → redirect), each step audited."""

    list_display = ["username", "full_name", "email", "roles", "where", "is_active", "password_set"]
    list_filter = [("groups", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    show_full_result_count = False
    actions = ["send_password_reset", "deactivate", "reactivate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(is_superuser=False)
            .select_related("membership__organisation", "membership__agency")
            .prefetch_related("groups")
        )

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, services.VIEW_USERS)

    def has_add_permission(self, request):
        return allowed(request.user, services.ADD_USERS)

    def has_change_permission(self, request, obj=None):
        return allowed(request.user, services.CHANGE_USERS)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the audit trail names them

    # The pages

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UserForm(request.POST if request.method == "POST" else None, creating=True)
        if form.is_valid():
            try:
                user = services.user_create(actor=request.user, **form.service_arguments())
            except REFUSALS as exc:
                add_refusal_to_form(form, exc)
            else:
                self.message_user(
                    request, f"{user.username} created; a link to set a password was e-mailed to {user.email}."
                )
                return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        return self._form_page(request, form, title="Add user", user=None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("No such user.")
        if not self.has_view_permission(request, user):
            raise PermissionDenied
        membership = getattr(user, "membership", None)
        initial = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": [group.name for group in user.groups.all()],
            "organisation": membership.organisation if membership else None,
            "agency": membership.agency.code if membership and membership.agency_id else "",
            "is_active": user.is_active,
        }
        posted = request.method == "POST" and self.has_change_permission(request, user)
        form = UserForm(
            request.POST if posted else None,
            initial=initial,
            creating=False,
            email_locked=user.has_usable_password(),
        )
        if posted and form.is_valid():
            try:
                services.user_update(actor=request.user, user=user, **form.service_arguments())
            except REFUSALS as exc:
                add_refusal_to_form(form, exc)
            else:
                self.message_user(request, f"{user.username} saved.")
                return HttpResponseRedirect(reverse("admin:auth_user_changelist"))
        return self._form_page(request, form, title=f"Change user {user.username}", user=user)

    def _form_page(self, request, form: UserForm, *, title: str, user) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}, model_admin=self),
            "media": self.media + form.media,
            "original": user,
            "can_change": user is None or self.has_change_permission(request, user),
            "audit_events": None if user is None else audit_history(self.opts.label_lower, user.pk),
        }
        return TemplateResponse(request, "admin/portal/user_form.html", context)

    # Actions: each one service call per account; a refusal is reported and the others go on.

    def _each(self, request, queryset, call, done: str) -> None:
        succeeded, refused = [], []
        for user in queryset:
            try:
                call(actor=request.user, user=user)
            except REFUSALS as exc:
                refused.append(f"{user.username}: {refusal_text(exc)}")
            else:
                succeeded.append(user.username)
        if succeeded:
            self.message_user(request, f"{done}: {', '.join(succeeded)}.", messages.SUCCESS)
        for text in refused:
            self.message_user(request, text, messages.ERROR)

    @admin.action(description="E-mail a link to set a new password", permissions=["change"])
    def send_password_reset(self, request, queryset):
        self._each(request, queryset, services.user_password_reset_send, "Password-reset link e-mailed to")

    @admin.action(description="Deactivate (cannot sign in; history stays)", permissions=["change"])
    def deactivate(self, request, queryset):
        self._each(request, queryset, services.user_deactivate, "Deactivated")

    @admin.action(description="Reactivate", permissions=["change"])
    def reactivate(self, request, queryset):
        self._each(request, queryset, services.user_reactivate, "Reactivated")

    # What the list shows

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(sorted(Role(g.name).label for g in user.groups.all() if g.name in Role.values)) or "—"

    @admin.display(description="Organisation or agency")
    def where(self, user):
        membership = getattr(user, "membership", None)
        if membership is None:
            return "—"
        return membership.organisation or membership.agency or "—"

    @admin.display(description="Password set", boolean=True)
    def password_set(self, user):
        return user.has_usable_password()


@admin.register(Group)
class RoleAdmin(admin.ModelAdmin):
    """Roles are code (portal/roles.py): shown here to read, never edited."""

    list_display = ["name"]
    fields = ["name", "permission_list"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("permissions__content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Permissions")
    def permission_list(self, group):
        return ", ".join(sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()))


admin.site.site_header = "G2G export-agreements portal"
admin.site.site_title = "G2G portal"
admin.site.index_title = "Export-control administration"


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """One's own inbox in the admin: every staff member sees their messages, and no one else's."""

    list_display = ["created_at", "subject", "about", "unread"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    fields = ["created_at", "subject", "body", "about", "open_record", "read_at"]
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        return inbox.inbox_for(request.user)

    def has_module_permission(self, request):
        return request.user.is_authenticated

    def has_view_permission(self, request, obj=None):
        return request.user.is_authenticated and (obj is None or obj.recipient_id == request.user.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a message marks it read."""
        if object_id and object_id.isdigit() and self.get_queryset(request).filter(pk=object_id).exists():
            inbox.mark_read(actor=request.user, message_id=int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="About")
    def about(self, message):
        return f"{message.about_type} {message.about_id}"

    @admin.display(description="Unread", boolean=True)
    def unread(self, message):
        return message.read_at is None

    @admin.display(description="Record")
    def open_record(self, message):
        return format_html('<a href="{}">Open the record</a>', message.link) if message.link else "—"
