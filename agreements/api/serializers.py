from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.deal_serializers import (
    MilestoneInputSerializer,
    MilestoneSerializer,
    PartyCapInputSerializer,
    PartyCapSerializer,
)
from agreements.api.fields import MAX_TPP, CountryCodeField, H100eField, StrictSerializer
from agreements.choices import AgreementStatus, AllotmentSource, EndUseCategory, PolicyKind, ReportingCadence
from agreements.models import (
    Agreement,
    AgreementStatusChange,
    Country,
    LedgerEntry,
    Policy,
    TermsPeriod,
    TermsVersion,
)
from agreements.selectors import POLICY_PARAMETERS, TERMS_FIELDS, is_embargoed
from portal.choices import Role


class CountrySerializer(serializers.ModelSerializer):
    tier = serializers.IntegerField(read_only=True, allow_null=True, help_text="Tier today.")
    embargoed = serializers.SerializerMethodField()

    class Meta:
        model = Country
        fields = ["code", "name", "tier", "embargoed"]

    def get_embargoed(self, country: Country) -> bool:
        return is_embargoed(country.tier)


class SizeBandSerializer(serializers.Serializer):
    h100e = serializers.IntegerField(min_value=1)
    condition = serializers.CharField()


class PolicySerializer(serializers.ModelSerializer):
    """A policy row: in force (approved), or a proposal awaiting a second policy administrator, or withdrawn.
    `proposed_from` is the instant asked for (null: from approval); `effective_from` the instant it is in force
    from, set at approval (null until then)."""

    set_by = serializers.StringRelatedField(
        allow_null=True, help_text="Who proposed it (null for the policy loaded with the data)."
    )
    approved_by = serializers.StringRelatedField(allow_null=True)
    withdrawn_by = serializers.StringRelatedField(allow_null=True)
    size_bands = SizeBandSerializer(many=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "status",
            "kind",
            "proposed_from",
            "effective_from",
            *POLICY_PARAMETERS,
            "reason",
            "set_by",
            "created_at",
            "approved_by",
            "approved_at",
            "withdrawn_by",
            "withdrawn_at",
        ]


MAX_POLICY_TPP = 10**15


class PolicyParametersSerializer(serializers.Serializer):
    """A regime and any of its parameters; parameters left out carry over from the policy in force."""

    kind = serializers.ChoiceField(choices=PolicyKind.choices)
    lpp_threshold_tpp = serializers.IntegerField(required=False, min_value=0, max_value=MAX_POLICY_TPP)
    tier2_allocation_tpp = serializers.IntegerField(required=False, min_value=0, max_value=MAX_POLICY_TPP)
    tier2_period_start = serializers.DateField(required=False)
    tier2_period_end = serializers.DateField(required=False)
    g2g_uplift = serializers.DecimalField(required=False, max_digits=4, decimal_places=2, min_value=1)
    licence_validity_days = serializers.IntegerField(required=False, min_value=1, max_value=36500)
    size_bands = SizeBandSerializer(many=True, required=False)
    grace_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    revenue_share_due_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)


class PolicySwitchSerializer(PolicyParametersSerializer):
    """Body of a proposed regime switch. `effective_from` null or left out: from the approval."""

    effective_from = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField()

    def to_internal_value(self, data):
        _refuse_unknown(data, set(self.fields) | {"csrfmiddlewaretoken"})
        if isinstance(data, Mapping) and data.get("effective_from") == "":
            raise serializers.ValidationError({"effective_from": ["Give an instant, or null for the approval's."]})
        return super().to_internal_value(data)


class PolicyPreviewQuerySerializer(PolicyParametersSerializer):
    """The query of an impact preview: `kind` and any parameter (`size_bands` as JSON); nothing else."""

    size_bands = serializers.JSONField(
        required=False, binary=True, help_text='JSON: [{"h100e": 1000, "condition": "..."}, ...]'
    )
    PAGING = frozenset({"page", "page_size", "changed", "destination"})  # the rows' paging and filters

    def to_internal_value(self, data):
        _refuse_unknown(data, set(self.fields) | self.PAGING)
        values = dict(super().to_internal_value(data))
        if "size_bands" in values:
            bands = SizeBandSerializer(data=values["size_bands"], many=True)
            if not isinstance(values["size_bands"], list) or not bands.is_valid():
                raise serializers.ValidationError(
                    {"size_bands": ['Give a JSON list: [{"h100e": 1000, "condition": "..."}, ...].']}
                )
            values["size_bands"] = [dict(band) for band in bands.validated_data]
        return values


def _refuse_unknown(data, known: set[str]) -> None:
    unknown = sorted(set(data) - known) if isinstance(data, Mapping) else []
    if unknown:
        hint = f"Not a policy parameter: give kind and any of {', '.join(POLICY_PARAMETERS)}."
        raise serializers.ValidationError({name: [hint] for name in unknown})


class PolicyWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# Shared pieces


class NegotiatorField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": "No negotiator has the username {value}."}

    def __init__(self, **kwargs):
        queryset = get_user_model().objects.filter(groups__name=Role.NEGOTIATOR, is_active=True)
        super().__init__(slug_field="username", queryset=queryset, **kwargs)


# Agreements and their terms: input


class PeriodInputSerializer(StrictSerializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    capacity_tpp = serializers.IntegerField(min_value=1, max_value=MAX_TPP, help_text="Capacity in TPP (> 0).")
    party_caps = PartyCapInputSerializer(
        many=True, required=False, max_length=50, help_text="Named parties' shares of this period's capacity."
    )


class TermsInputSerializer(StrictSerializer):
    """Negotiated terms. Fields left out keep their value (their default on a new agreement)."""

    allotments = PeriodInputSerializer(many=True, required=False, help_text="Non-overlapping periods.")
    lpp_threshold_tpp = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_TPP)
    government_assurances = serializers.BooleanField(required=False)
    site_visits_accepted = serializers.BooleanField(required=False)
    reciprocal_investment_usd = serializers.DecimalField(
        required=False, max_digits=16, decimal_places=2, min_value=Decimal(0)
    )
    revenue_share_percent = serializers.DecimalField(
        required=False, allow_null=True, max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100)
    )
    permitted_end_uses = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text=f"End-use categories ({', '.join(EndUseCategory.values)}); empty: all permitted.",
    )
    excluded_end_users = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    security_conditions = serializers.ListField(child=serializers.CharField(max_length=1000), required=False)
    reporting_cadence = serializers.ChoiceField(choices=ReportingCadence.choices, allow_blank=True, required=False)
    notes = serializers.CharField(allow_blank=True, required=False, max_length=20_000)
    investment_milestones = MilestoneInputSerializer(
        many=True,
        required=False,
        max_length=100,
        help_text="While negotiating: replaces the version's milestones. On an amendment: milestones it adds "
        "(earlier ones stay binding until verified or waived).",
    )


class AgreementCreateSerializer(StrictSerializer):
    country = CountryCodeField()
    reference = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    lead_negotiator = NegotiatorField(required=False, help_text="Username; defaults to you.")
    terms = TermsInputSerializer(required=False, default=dict)


class AgreementUpdateSerializer(StrictSerializer):
    """A change while draft or negotiating: any of these fields, and/or `terms` (its fields left out stay)."""

    reference = serializers.CharField(max_length=40, required=False)
    title = serializers.CharField(max_length=200, required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)
    lead_negotiator = NegotiatorField(required=False)
    terms = TermsInputSerializer(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Nothing to change: give at least one field.")
        return attrs


class TransitionSerializer(StrictSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required to suspend, resume or terminate."
    )
    effective_at = serializers.DateTimeField(
        required=False,
        help_text="When the change took effect (default now): not in the future, not before the previous change.",
    )


class SignSerializer(TransitionSerializer):
    signed_on = serializers.DateField(required=False, help_text="Defaults to today.")


class AmendmentCreateSerializer(TermsInputSerializer):
    """A new terms version from `effective_from`; terms fields left out carry over from the newest version."""

    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


# Agreements and their terms: output


class TermsPeriodSerializer(serializers.ModelSerializer):
    capacity_h100e = H100eField(source="capacity_tpp")
    party_caps = PartyCapSerializer(many=True, read_only=True)

    class Meta:
        model = TermsPeriod
        fields = ["period_start", "period_end", "capacity_tpp", "capacity_h100e", "party_caps"]


class TermsVersionSerializer(serializers.ModelSerializer):
    allotments = TermsPeriodSerializer(many=True, read_only=True, source="periods")
    investment_milestones = MilestoneSerializer(
        many=True, read_only=True, source="milestones", help_text="The milestones this version set."
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Username."
    )

    class Meta:
        model = TermsVersion
        fields = [
            "version",
            "effective_from",
            "allotments",
            *TERMS_FIELDS,
            "investment_milestones",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.ChoiceField(
        choices=AgreementStatus.choices, allow_blank=True, read_only=True, help_text="Empty for the first status."
    )
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True, help_text="Username.")

    class Meta:
        model = AgreementStatusChange
        fields = ["from_status", "to_status", "at", "recorded_at", "actor", "reason"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    """An agreement with its newest terms (prefetched as `newest_terms`) and whether it is in force now."""

    country = serializers.CharField(source="country_id", read_only=True, help_text="ISO 3166-1 alpha-2.")
    lead_negotiator = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Username."
    )
    in_force_now = serializers.BooleanField(read_only=True)
    terms = serializers.SerializerMethodField(help_text="The newest terms version (possibly not yet effective).")

    class Meta:
        model = Agreement
        fields = [
            "id",
            "reference",
            "title",
            "country",
            "status",
            "signed_on",
            "valid_from",
            "valid_until",
            "lead_negotiator",
            "in_force_now",
            "terms",
        ]
        read_only_fields = fields

    @extend_schema_field(TermsVersionSerializer)
    def get_terms(self, agreement: Agreement):
        newest = agreement.newest_terms
        return TermsVersionSerializer(newest[0]).data if newest else None


class AgreementDetailSerializer(AgreementSerializer):
    status_history = StatusChangeSerializer(many=True, read_only=True, source="status_changes")

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "status_history"]
        read_only_fields = fields


class AgreementSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "reference", "title", "status", "valid_from", "valid_until"]
        read_only_fields = fields


# Allotments and their ledger


class AllotmentPublicSerializer(serializers.Serializer):
    """An allotment's capacity and what remains of it (an `AllotmentUsage`), without demand or draws."""

    id = serializers.IntegerField(source="allotment.pk", read_only=True)
    country = serializers.CharField(source="allotment.country_id", read_only=True)
    period_start = serializers.DateField(source="allotment.period_start", read_only=True)
    period_end = serializers.DateField(source="allotment.period_end", read_only=True)
    source = serializers.ChoiceField(source="allotment.source", choices=AllotmentSource.choices, read_only=True)
    agreement = serializers.IntegerField(source="allotment.agreement_id", read_only=True, allow_null=True)
    capacity_tpp = serializers.IntegerField(read_only=True, help_text="Including the G2G uplift when it applies.")
    remaining_tpp = serializers.IntegerField(read_only=True, help_text="Never below 0.")
    remaining_h100e = H100eField(source="remaining_tpp")
    uplifted = serializers.BooleanField(read_only=True)


class AllotmentSerializer(AllotmentPublicSerializer):
    """An allotment's use: committed (licensed) and pending (submitted, undecided) TPP."""

    committed_tpp = serializers.IntegerField(read_only=True)
    pending_tpp = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null where the serving view does not know pending applications."
    )


class LedgerEntrySerializer(serializers.ModelSerializer):
    h100e = H100eField(source="tpp")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True, help_text="Username.")

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "tpp", "h100e", "consignee", "party", "reference", "created_at", "actor"]
        read_only_fields = fields


# Countries in detail


class CountryDetailSerializer(CountrySerializer):
    """A country with the agreement in force now and its allotments (context: `agreement`, `allotments`)."""

    agreement = serializers.SerializerMethodField()
    allotments = serializers.SerializerMethodField()
    allotment_serializer = AllotmentPublicSerializer

    class Meta(CountrySerializer.Meta):
        fields = [*CountrySerializer.Meta.fields, "agreement", "allotments"]

    @extend_schema_field(AgreementSummarySerializer(allow_null=True))
    def get_agreement(self, country: Country):
        agreement = self.context["agreement"]
        return AgreementSummarySerializer(agreement).data if agreement else None

    @extend_schema_field(AllotmentPublicSerializer(many=True))
    def get_allotments(self, country: Country):
        return self.allotment_serializer(self.context["allotments"], many=True).data


class CountryStaffDetailSerializer(CountryDetailSerializer):
    """The same, with allotment use and demand, for staff and negotiators."""

    allotment_serializer = AllotmentSerializer

    @extend_schema_field(AllotmentSerializer(many=True))
    def get_allotments(self, country: Country):
        return super().get_allotments(country)
