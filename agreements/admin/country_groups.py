"""EAR Country Group membership in the admin, maintained like tiers: every save goes through the service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from agreements.models import CountryGroupMembership
from agreements.services import country_groups as country_group_services
from portal.permissions import allowed


@admin.register(CountryGroupMembership)
class CountryGroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["country", "group", "effective_from", "effective_until", "review_on"]
    list_filter = ["group", "review_on"]
    search_fields = ["country__code", "country__name", "source"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]
    fields = ["country", "group", "effective_from", "effective_until", "review_on", "source", "created_at"]
    readonly_fields = ["created_at"]
    ordering = ["country__name", "group", "-effective_from"]

    def get_readonly_fields(self, request, obj=None):
        # An existing row is corrected for its end, review date and source; who and since when stay fixed.
        return [*self.readonly_fields, "country", "group", "effective_from"] if obj else self.readonly_fields

    def has_add_permission(self, request):
        return allowed(request.user, country_group_services.PERMISSION)

    def has_change_permission(self, request, obj=None):
        return allowed(request.user, country_group_services.PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return False  # history is kept: end a membership with an end date

    def save_model(self, request, obj, form, change):
        try:
            saved = country_group_services.country_group_membership_set(
                actor=request.user,
                country=obj.country,
                group=obj.group,
                effective_from=obj.effective_from,
                effective_until=obj.effective_until,
                review_on=obj.review_on,
                source=obj.source,
            )
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
            return
        obj.pk = saved.pk
