"""POST /api/v1/determinations/: what the rules in force say about an export, now."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.parties import PartyField
from agreements.choices import EndUseCategory
from agreements.models import Party, Policy
from agreements.selectors import party_resolve
from licensing import determination as engine
from licensing import selectors
from licensing.api.fields import CountryCodeField, ItemSerializer, resolve_products
from licensing.reference_facts import reference_facts


class KnownCountryCodeField(CountryCodeField):
    """A country code resolved from the countries licensing.reference_facts holds (the serializer's context:
    no query); the same 400s."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data.strip()) != 2:
            self.fail("invalid")
        code = data.strip().upper()
        country = self.context["reference"].countries.get(code)
        if country is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=code)
        return country


class DeterminationRequestSerializer(serializers.Serializer):
    destination = KnownCountryCodeField()
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)
    consignee = PartyField(allow_name=True, help_text="Party id, details, or a name located in the destination.")
    end_users = serializers.ListField(child=PartyField(allow_name=True), required=False, max_length=50)
    end_user_hq = serializers.ListField(child=KnownCountryCodeField(), required=False, max_length=50)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, default=EndUseCategory.OTHER)
    export_from = KnownCountryCodeField(required=False, help_text="Where the items leave from (default US).")
    at = serializers.DateTimeField(required=False, help_text="The instant to determine at (default now).")

    def validate_items(self, items: list[dict]) -> list[dict]:
        items = resolve_products(items, catalogue=self.context["reference"].products)  # read, never written
        try:
            selectors.refuse_unclassified(item["product"] for item in items)  # read once, checked here
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["items"]) from error
        return items

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
            at=data.get("at") or timezone.now(),
            consignee_party=consignee.pk,
            hq_party_ids=tuple(dict.fromkeys(pk for party in parties for pk in party.chain_ids)),
            export_from=data["export_from"].code if data.get("export_from") else engine.UNITED_STATES,
            end_user_parties=tuple(dict.fromkeys(party.pk for party in end_users if party.pk is not None)),
        )


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    text = serializers.CharField()


class AllotmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    remaining_tpp = serializers.IntegerField()
    remaining_h100e = serializers.CharField()


class ProgrammeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    citation = serializers.CharField()
    version = serializers.IntegerField()
    version_id = serializers.IntegerField()
    presumption = serializers.ChoiceField(choices=[p.value for p in engine.Presumption])
    conditions = serializers.ListField(child=serializers.CharField())
    shipment_evidence = serializers.CharField(allow_blank=True)


class CertificationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    text = serializers.CharField()


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
    export_from = serializers.CharField()
    programme = ProgrammeRefSerializer(allow_null=True, help_text="The licence-review programme that applies.")
    certifications = CertificationRefSerializer(many=True, help_text="What the exporter affirms at submission.")
    controlled_products = serializers.ListField(
        child=serializers.IntegerField(), help_text="Lines that count: 3A090.a/4A090.a or brought into scope."
    )


class DeterminationView(APIView):
    """The determination (SPEC § 3) of an export under the policy in force now. Writes nothing."""

    @extend_schema(request=DeterminationRequestSerializer, responses=DeterminationSerializer)
    def post(self, request):
        reference = reference_facts()  # the catalogue, countries, policies and programmes: one query while kept
        serializer = DeterminationRequestSerializer(data=request.data, context={"reference": reference})
        serializer.is_valid(raise_exception=True)
        question = serializer.to_request(request.user)
        try:
            return Response(selectors.determine(question, products_checked=True, reference=reference).as_dict())
        except Policy.DoesNotExist as error:
            raise serializers.ValidationError(
                {"at": f"No policy was in force at {question.at.isoformat()}."}
            ) from error
