"""POST /api/v1/determinations/: what the rules in force say about an export, now."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.choices import EndUseCategory
from licensing import determination as engine
from licensing import selectors
from licensing.api.fields import CountryCodeField, ItemSerializer, resolve_products


class DeterminationRequestSerializer(serializers.Serializer):
    destination = CountryCodeField()
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)
    consignee = serializers.CharField(max_length=200)
    end_users = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    end_user_hq = serializers.ListField(child=CountryCodeField(), required=False, max_length=50)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, default=EndUseCategory.OTHER)

    def validate_items(self, items: list[dict]) -> list[dict]:
        return resolve_products(items)

    def to_request(self) -> engine.Request:
        data = self.validated_data
        destination = data["destination"]
        hq = data.get("end_user_hq") or [destination]
        return engine.Request(
            destination=destination.code,
            lines=selectors.request_lines(selectors.ItemRequest(i["product"], i["quantity"]) for i in data["items"]),
            consignee=data["consignee"],
            end_users=tuple(data.get("end_users") or [data["consignee"]]),
            end_user_hq=tuple(country.code for country in hq),
            end_use_category=data["end_use_category"],
            at=timezone.now(),
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
        return Response(selectors.determine(serializer.to_request()).as_dict())
