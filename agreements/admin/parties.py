"""The party register in the admin (SPEC § 2 "Party"): search, correct an entry, merge duplicates.

Every write goes through agreements.party_services, as the API's do: a correction is `party_update` (a parent
that would loop is refused), a merge is `party_merge` (history moved, audited, the duplicate kept as a
tombstone). Registered in its place by licensing.admin.parties, which adds the parties on an exporter's filings
to the scope and moves their history on a merge (agreements never imports licensing)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from agreements import party_services, selectors
from agreements.models import Party
from portal.admin import AuditHistoryMixin
from portal.permissions import allowed


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["name", "aliases", "address", "hq_country", "ultimate_parent", "registration_number"]


class MergedFilter(admin.SimpleListFilter):
    title = "entry"
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("merged", "Merged away (tombstones)")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(merged_into__isnull=True)
        if self.value() == "merged":
            return queryset.filter(merged_into__isnull=False)
        return queryset


@admin.register(Party)
class PartyAdmin(AuditHistoryMixin, admin.ModelAdmin):
    form = PartyForm
    list_display = ["name", "country", "hq_country", "ultimate_parent", "merged_into", "created_at"]
    list_select_related = ["country", "hq_country", "ultimate_parent", "merged_into"]
    list_filter = [MergedFilter]
    search_fields = ["name", "normalised_name", "=country__code", "registration_number"]
    search_help_text = "Search by name, country code or registration number."
    readonly_fields = ["country", "normalised_name", "headquartered_in", "created_by", "created_at", "merged_into"]
    raw_id_fields = ["ultimate_parent"]
    actions = ["merge_into_oldest"]
    show_full_result_count = False

    @admin.display(description="Headquartered in (own, then every ultimate parent's)")
    def headquartered_in(self, party):
        return ", ".join(selectors.party_headquartered_in(party)) if party.pk else "—"

    def has_add_permission(self, request):
        return False  # parties enter the register from filings and the API, matched by name and country

    def has_delete_permission(self, request, obj=None):
        return False  # filed against: merged, never deleted

    def has_change_permission(self, request, obj=None):
        return allowed(request.user, "agreements.change_party") and (obj is None or obj.merged_into_id is None)

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, "agreements.view_party")

    def has_merge_permission(self, request):
        return allowed(request.user, "agreements.merge_party")

    def get_queryset(self, request):
        # parties_visible_to() has a select_related() of its own, so Django would skip list_select_related and
        # read each row's countries (2 queries a row): the list's relations are added here.
        return selectors.parties_visible_to(request.user).select_related(*self.list_select_related)

    def merge_party(self, request, *, party_id: int, into_id: int) -> Party:
        return party_services.party_merge(actor=request.user, party_id=party_id, into_id=into_id)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            party_services.party_update(actor=request.user, party_id=obj.pk, **changes)
        except ValidationError as error:  # e.g. a rename onto another live party's name
            self.message_user(request, f"Not saved: {' '.join(error.messages)}", messages.ERROR)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        party = obj

        class Checked(form):
            def clean(self):
                cleaned = super().clean()
                parent = cleaned.get("ultimate_parent")
                loops = (
                    parent is not None
                    and party is not None
                    and (parent.pk == party.pk or party.pk in selectors.party_ancestors(parent.pk))
                )
                if loops:
                    self.add_error("ultimate_parent", f"{parent} is owned by {party}: a chain cannot loop back.")
                name = cleaned.get("name")
                clash = name and party is not None and selectors.party_match(name, party.country_id)
                if clash and clash.pk != party.pk:
                    self.add_error("name", f"{clash} has this name already: merge the two instead.")
                return cleaned

        return Checked

    @admin.action(description="Merge the selected parties into the oldest of them", permissions=["merge"])
    def merge_into_oldest(self, request, queryset):
        parties = list(queryset.filter(merged_into__isnull=True).order_by("created_at", "id"))
        if len(parties) < 2:
            self.message_user(request, "Select at least two live parties to merge.", messages.WARNING)
            return
        survivor = parties[0]
        for duplicate in parties[1:]:
            try:
                self.merge_party(request, party_id=duplicate.pk, into_id=survivor.pk)
            except ValidationError as error:
                self.message_user(request, f"{duplicate} was not merged: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{duplicate} merged into {survivor}; its history moved there.")
