"""The party register's API (agreements.api.parties) with what only licensing knows passed in: an exporter sees
the parties on its own organisation's filings too, and a merge moves the merged party's filings to the survivor.
Routed at /api/v1/parties/ in place of agreements' viewset."""

from django.db.models import QuerySet

from agreements.api.parties import PartyViewSet
from agreements.models import Party
from licensing import selectors
from licensing.services.parties import party_merge


class PartyFilingsViewSet(PartyViewSet):
    def visible_parties(self) -> QuerySet[Party]:
        return selectors.parties_visible_to(self.request.user)

    def merge_party(self, *, party_id: int, into_id: int) -> Party:
        return party_merge(actor=self.request.user, party_id=party_id, into_id=into_id)
