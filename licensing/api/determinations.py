"""POST /api/v1/determinations/: what the rules in force say about an export, now; POST …/batch/: the same for up
to 100 exports at once."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.parties import PartyField
from agreements.choices import EndUseCategory
from agreements.models import Party, Policy
from agreements.party_matching import PartyRef
from agreements.selectors import ResolvedParty, party_resolve, party_resolve_many, policy_in_force
from licensing import determination as engine
from licensing import selectors
from licensing.api.fields import CountryCodeField, ItemSerializer, resolve_products
from licensing.bulk import determine_many
from licensing.reference_facts import ReferenceFacts, reference_facts
from portal.permissions import Actor


class DeterminationRequestSerializer(serializers.Serializer):
    destination = CountryCodeField()
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)
    consignee = PartyField(allow_name=True, help_text="Party id, details, or a name located in the destination.")
    end_users = serializers.ListField(child=PartyField(allow_name=True), required=False, max_length=50)
    end_user_hq = serializers.ListField(child=CountryCodeField(), required=False, max_length=50)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, default=EndUseCategory.OTHER)
    export_from = CountryCodeField(required=False, help_text="Where the items leave from (default US).")
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
        refs = _party_refs(data)
        by_id = any(ref.id is not None or ref.ultimate_parent is not None for ref, _ in refs)
        visible = selectors.parties_visible_to(user) if by_id else Party.objects.none()  # names need no scope
        parties = [party_resolve(visible=visible, ref=ref, default_country=default) for ref, default in refs]
        return _request(data, parties, now=timezone.now())


def _party_refs(data: dict) -> list[tuple[PartyRef, str]]:
    """The consignee, then the end users, each with the country a bare name is located in (the destination)."""
    return [(ref, data["destination"].code) for ref in (data["consignee"], *(data.get("end_users") or []))]


def _request(data: dict, parties: list[ResolvedParty], *, now: datetime.datetime) -> engine.Request:
    destination = data["destination"]
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
        at=data.get("at") or now,
        consignee_party=consignee.pk,
        hq_party_ids=tuple(dict.fromkeys(pk for party in parties for pk in party.chain_ids)),
        export_from=data["export_from"].code if data.get("export_from") else engine.UNITED_STATES,
        end_user_parties=tuple(dict.fromkeys(party.pk for party in end_users if party.pk is not None)),
    )


def _context(reference: ReferenceFacts) -> dict:
    """The reference facts the request is read against: countries and products come from them, not queries."""
    return {"reference": reference, "countries": reference.countries}


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
        serializer = DeterminationRequestSerializer(data=request.data, context=_context(reference))
        serializer.is_valid(raise_exception=True)
        question = serializer.to_request(request.user)
        try:
            return Response(selectors.determine(question, products_checked=True, reference=reference).as_dict())
        except Policy.DoesNotExist as error:
            raise serializers.ValidationError(
                {"at": f"No policy was in force at {question.at.isoformat()}."}
            ) from error


# A batch: many questions in one request, their facts gathered at once (licensing.bulk), the same engine.

BATCH_LIMIT = 100


class DeterminationBatchRequestSerializer(serializers.Serializer):
    requests = DeterminationRequestSerializer(
        many=True, allow_empty=False, max_length=BATCH_LIMIT, help_text="Each as POST /api/v1/determinations/ takes it."
    )


class DeterminationBatchSerializer(serializers.Serializer):
    results = DeterminationSerializer(many=True, help_text="One determination per request, in their order.")


class DeterminationBatchView(APIView):
    """The determinations of up to 100 exports at once under the policy in force, each as the single endpoint
    answers it alone (the same engine; the facts of the whole batch read in a constant number of queries). A
    request without `at` is determined at one instant shared by the batch. Any bad request refuses the batch
    (400), its errors listed at its place. Writes nothing."""

    @extend_schema(request=DeterminationBatchRequestSerializer, responses=DeterminationBatchSerializer)
    def post(self, request):
        reference = reference_facts()
        serializer = DeterminationBatchRequestSerializer(data=request.data, context=_context(reference))
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["requests"]
        questions = _batch_requests(request.user, items, known=frozenset(reference.countries))
        try:
            determinations = determine_many(questions)
        except Policy.DoesNotExist as error:
            raise serializers.ValidationError({"requests": _without_policy(questions)}) from error
        return Response({"results": [determination.as_dict() for determination in determinations]})


def _batch_requests(user: Actor, items: list[dict], *, known: frozenset[str]) -> list[engine.Request]:
    """Every request's parties resolved together (`party_resolve_many`: one query for the ids in the asker's
    scope, one for the names), or a 400 naming each party that cannot be."""
    refs = [_party_refs(data) for data in items]
    flat = [pair for pairs in refs for pair in pairs]
    by_id = any(ref.id is not None or ref.ultimate_parent is not None for ref, _ in flat)
    visible = selectors.parties_visible_to(user) if by_id else Party.objects.none()
    answers = iter(party_resolve_many(visible=visible, refs=flat, known=known))
    resolved = [[next(answers) for _ in pairs] for pairs in refs]
    errors = {str(i): e for i, e in enumerate(_party_errors(parties) for parties in resolved) if e}
    if errors:  # keyed by place, as DRF keys the serializer's own errors of a list
        raise serializers.ValidationError({"requests": errors})
    now = timezone.now()
    return [_request(data, parties, now=now) for data, parties in zip(items, resolved, strict=True)]


def _party_errors(parties: list[ResolvedParty | DjangoValidationError]) -> dict:
    """A request's party errors as the fields name them: `consignee`, and `end_users` by their place."""
    errors: dict = {}
    consignee, *end_users = parties
    if isinstance(consignee, DjangoValidationError):
        errors["consignee"] = consignee.message_dict
    failed = {str(i): p.message_dict for i, p in enumerate(end_users) if isinstance(p, DjangoValidationError)}
    if failed:
        errors["end_users"] = failed
    return errors


def _without_policy(questions: list[engine.Request]) -> dict[str, dict]:
    """Which requests' instants no policy was in force at (read only when a batch has met one)."""
    in_force = {at: _policy_in_force(at) for at in {question.at for question in questions}}
    return {
        str(i): {"at": [f"No policy was in force at {question.at.isoformat()}."]}
        for i, question in enumerate(questions)
        if not in_force[question.at]
    }


def _policy_in_force(at: datetime.datetime) -> bool:
    try:
        policy_in_force(at)
    except Policy.DoesNotExist:
        return False
    return True
