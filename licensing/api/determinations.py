"""POST /api/v1/determinations/: what the rules in force say about an export, now."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.parties import PartyField
from agreements.choices import EndUseCategory
from agreements.models import Party
from agreements.selectors import party_resolve
from licensing import determination as engine
from licensing import selectors
from licensing.api.fields import CountryCodeField, ItemSerializer, resolve_products


class DeterminationRequestSerializer(serializers.Serializer):
    destination = CountryCodeField()
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)
    consignee = PartyField(allow_name=True, help_text="Party id, details, or a name located in the destination.")
    end_users = serializers.ListField(child=PartyField(allow_name=True), required=False, max_length=50)
    end_user_hq = serializers.ListField(child=CountryCodeField(), required=False, max_length=50)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, default=EndUseCategory.OTHER)

    def validate_items(self, items: list[dict]) -> list[dict]:
        return resolve_products(items)

    def to_request(self, user) -> engine.Request:
        """Parties are matched in the register, never entered in it: an unknown one counts by its given details."""
        data = self.validated_data
        destination = data["destination"]
        refs = [data["consignee"], *(data.get("end_users") or [])]
        by_id = any(ref.id is not None or ref.ultimate_parent is not None for ref in refs)
        visible = selectors.parties_visible_to(user) if by_id else Party.objects.none()  # names need no scope
        parties = [party_resolve(visible=visible, ref=ref, default_country=destination.code) for ref in refs]
        consignee, end_users = parties[0], parties[1:]
        declared = [country.code for country in data.get("end_user_hq") or [destination]]
        declared += [code for party in parties for code in party.declared_hq]
        return engine.Request(
            destination=destination.code,
            lines=selectors.request_lines(selectors.ItemRequest(i["product"], i["quantity"]) for i in data["items"]),
            consignee=consignee.name,
            end_users=tuple(party.name for party in end_users) or (consignee.name,),
            end_user_hq=tuple(dict.fromkeys(declared)),
            end_use_category=data["end_use_category"],
            at=timezone.now(),
            consignee_party=consignee.pk,
            hq_party_ids=tuple(dict.fromkeys(pk for party in parties for pk in party.chain_ids)),
            end_user_parties=tuple(dict.fromkeys(party.pk for party in end_users if party.pk is not None)),
        )


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    text = serializers.CharField()


class AllotmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    remaining_tpp = serializers.IntegerField()
    remaining_h100e = serializers.CharField()


class DeterminationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[o.value for o in engine.Outcome])
    presumption = serializers.ChoiceField(choices=[p.value for p in engine.Presumption], allow_null=True)
    reasons = ReasonSerializer(many=True)
    regime = serializers.CharField()
    requested_tpp = serializers.IntegerField()
    requested_h100e = serializers.CharField()
    allotment = AllotmentRefSerializer(allow_null=True)
    conditions = serializers.ListField(child=serializers.CharField())
    agreement = serializers.IntegerField(allow_null=True)


class DeterminationView(APIView):
    """The determination (SPEC § 3) of an export under the policy in force now. Writes nothing."""

    @extend_schema(request=DeterminationRequestSerializer, responses=DeterminationSerializer)
    def post(self, request):
        serializer = DeterminationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(selectors.determine(serializer.to_request(request.user)).as_dict())
