"""The party register's API (SPEC § 5.1 v2): GET/POST /api/v1/parties/, GET/PATCH …/{id}/, POST …/{id}/merge/.

Exporters see the parties on their own organisation's filings and those it created, and may create; staff see
all, correct and merge. `PartyField` is how any other body (applications, notifications, determinations, terms)
takes a party: an id, inline details or, where allowed, a bare name."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from agreements import party_services, selectors
from agreements.api.fields import CountryCodeField
from agreements.models import Party
from agreements.party_matching import PartyRef
from portal.permissions import allowed


class PartyDetailsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    country = CountryCodeField(required=False, help_text="Location country; default: the filing's destination.")
    hq_country = CountryCodeField(required=False, allow_null=True, help_text="Headquarters; default: country.")
    ultimate_parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    registration_number = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=20
    )

    def to_ref(self) -> PartyRef:
        return PartyRef.coerce(self.validated_data)


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "object"}], "description": "id, details or name"}
)
class PartyField(serializers.Field):
    """A party: its register id, inline details ({name, country, hq_country, …}), or (allow_name) a bare name,
    located in the filing's destination. Validated to a PartyRef; matching happens in the service."""

    default_error_messages = {
        "invalid": "Give a party id, the party's details ({name, country, …}) or its name.",
        "no_name": "Give a party id or the party's details ({name, address, country, …}).",
    }

    def __init__(self, *, allow_name: bool = False, require_country: bool = False, **kwargs):
        self.allow_name, self.require_country = allow_name, require_country
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> PartyRef:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) and data > 0:
            return PartyRef(id=data)
        if isinstance(data, str):
            if not self.allow_name:
                self.fail("no_name")
            return PartyRef(name=serializers.CharField(max_length=200).run_validation(data).strip())
        if isinstance(data, dict):
            if set(data) <= {"id", "address"} and isinstance(data.get("id"), int) and not isinstance(data["id"], bool):
                return PartyRef(id=data["id"], address=str(data.get("address") or "")[:1000])
            details = PartyDetailsSerializer(data=data, context=self.context)  # its countries, if any
            details.is_valid(raise_exception=True)
            if self.require_country and "country" not in details.validated_data:
                raise serializers.ValidationError({"country": "Give the party's location country (ISO alpha-2 code)."})
            return details.to_ref()
        self.fail("invalid")

    def to_representation(self, value):
        return value.id if isinstance(value, PartyRef) else value


class ExporterPartySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id")
    hq_country = serializers.CharField(source="hq_country_id")
    headquartered_in = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = [
            "id",
            "name",
            "aliases",
            "address",
            "country",
            "hq_country",
            "ultimate_parent",
            "registration_number",
            "headquartered_in",
            "merged_into",
        ]

    def get_headquartered_in(self, party) -> list[str]:
        known = self.context.get("headquartered_in") or {}
        return known.get(party.pk) or selectors.party_headquartered_in(party)


class StaffPartySerializer(ExporterPartySerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_by_organisation = serializers.CharField(source="created_by_organisation.name", default=None)

    class Meta(ExporterPartySerializer.Meta):
        fields = [
            *ExporterPartySerializer.Meta.fields,
            "normalised_name",
            "created_by",
            "created_by_organisation",
            "created_at",
            "merged_at",
        ]


class PartyChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    address = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    hq_country = CountryCodeField(required=False)
    ultimate_parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    registration_number = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=20)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="The surviving party's id.")


_NEEDS = {
    "list": "agreements.view_party",
    "retrieve": "agreements.view_party",
    "create": "agreements.add_party",
    "partial_update": "agreements.change_party",
    "merge": "agreements.merge_party",
}


class PartyPermission(BasePermission):
    """Each action needs its permission (portal/roles.py); scope is the selector's (404 outside)."""

    message = "Your role may not do this with the party register."

    def has_permission(self, request, view) -> bool:
        needed = _NEEDS.get(view.action, "agreements.view_party")
        return allowed(request.user, needed) and allowed(request.user, "agreements.view_party")


class PartyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The register of foreign parties. `?search=` matches normalised names (a type-ahead); `?country=XX`.

    Routed as licensing.api.parties.PartyFilingsViewSet, which adds the parties on an exporter's filings to its
    scope and moves their history on a merge (agreements never imports licensing)."""

    permission_classes = [PartyPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_parties(self) -> QuerySet[Party]:
        """The requester's scope of the register: here the register's own (agreements.selectors)."""
        return selectors.parties_visible_to(self.request.user)

    def merge_party(self, *, party_id: int, into_id: int) -> Party:
        return party_services.party_merge(actor=self.request.user, party_id=party_id, into_id=into_id)

    def get_queryset(self):
        parties = self.visible_parties().select_related("created_by", "created_by_organisation")
        if self.action == "list":
            parties = parties.filter(merged_into__isnull=True)
            parties = selectors.party_search(parties, self.request.query_params.get("search", ""))
            country = self.request.query_params.get("country", "").strip().upper()
            if country:
                parties = parties.filter(country_id=country)
        return parties

    def get_serializer_class(self):
        if self.action == "create":
            return PartyDetailsSerializer
        if self.action == "partial_update":
            return PartyChangeSerializer
        if allowed(self.request.user, "agreements.merge_party"):
            return StaffPartySerializer
        return ExporterPartySerializer

    def _shown(self, party: Party, code: int = status.HTTP_200_OK) -> Response:
        party = self.get_queryset().get(pk=party.pk) if self.action != "create" else party
        serializer_class = StaffPartySerializer if allowed(self.request.user, "agreements.merge_party") else None
        return Response((serializer_class or ExporterPartySerializer)(party).data, status=code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "headquartered_in": selectors.parties_headquartered_in(rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=PartyDetailsSerializer, responses={201: StaffPartySerializer, 200: StaffPartySerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartyDetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ref = serializer.to_ref()
        if not ref.country:
            raise serializers.ValidationError({"country": "Give the party's location country (ISO alpha-2 code)."})
        party, created = party_services.party_create(actor=request.user, ref=ref, visible=self.visible_parties())
        return self._shown(party, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PartyChangeSerializer, responses=StaffPartySerializer)
    def partial_update(self, request, *args, **kwargs):
        party = self.get_object()
        serializer = PartyChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        party = party_services.party_update(actor=request.user, party_id=party.pk, **changes)
        return self._shown(party)

    @extend_schema(request=MergeSerializer, responses=StaffPartySerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this party into `into` (the survivor): its history moves there; it stays as a tombstone."""
        party = self.get_object()
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survivor = self.merge_party(party_id=party.pk, into_id=serializer.validated_data["into"])
        return self._shown(survivor)
