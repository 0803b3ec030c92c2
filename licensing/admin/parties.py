"""The party register's admin (agreements.admin.parties) with what only licensing knows passed in: an exporter
sees the parties on its own organisation's filings too, and a merge moves the merged party's filings to the
survivor. Registered in its place, so the pages keep their addresses (admin:agreements_party_changelist)."""

from django.contrib import admin

from agreements.admin.parties import PartyAdmin
from agreements.models import Party
from licensing import selectors
from licensing.services.parties import party_merge


class PartyFilingsAdmin(PartyAdmin):
    def get_queryset(self, request):
        # With the list's relations (PartyAdmin.get_queryset says why): not one query a row for the countries.
        return selectors.parties_visible_to(request.user).select_related(*self.list_select_related)

    def merge_party(self, request, *, party_id: int, into_id: int) -> Party:
        return party_merge(actor=request.user, party_id=party_id, into_id=into_id)


admin.site.unregister(Party)
admin.site.register(Party, PartyFilingsAdmin)
