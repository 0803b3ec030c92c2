from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from portal.models import Agency, AuditEvent, Membership, Organisation
from portal.selectors import audit_events_for


class ReadOnlyAdminMixin:
    """Records that nobody edits in the admin: decided cases, the audit trail, ledgers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditHistoryMixin:
    """Shows the audit trail of the record on its change page."""

    change_form_template = "admin/portal/change_form_with_audit.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["audit_events"] = audit_events_for(target_type=self.model._meta.label_lower, target_id=object_id)[
            :200
        ]
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "verb", "target_type", "target_repr", "actor"]
    list_filter = ["verb", "target_type"]
    search_fields = ["verb", "target_repr", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("portal.view_auditevent")


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


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    max_num = 1


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(AuditHistoryMixin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_active", "roles"]
    list_filter = ["groups", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(sorted(group.name for group in user.groups.all()))


admin.site.site_header = "G2G export-agreements portal"
admin.site.site_title = "G2G portal"
admin.site.index_title = "Export-control administration"
