"""The binding parts of terms in the API (SPEC § 5.3 v2): `allotments[].party_caps` and `investment_milestones`
on terms, the negotiators' milestone actions, and an agreement's performance."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.fields import MAX_TPP, H100eField, StrictSerializer
from agreements.api.parties import PartyField
from agreements.deal_selectors import MilestoneStatus, PerformanceRow
from agreements.models import AllotmentPartyCap, InvestmentMilestone, TermsPartyCap
from agreements.units import tpp_from_h100e

MAX_USD = Decimal("99999999999999.99")
MAX_H100E = MAX_TPP // 15_832


class PartyCapInputSerializer(StrictSerializer):
    """A named party's cap inside the period: `capacity_tpp`, or `capacity_h100e` (whole H100e, × 15,832 TPP)."""

    party = PartyField(allow_name=True, help_text="Party id, details, or a name located in the partner country.")
    capacity_tpp = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TPP)
    capacity_h100e = serializers.IntegerField(required=False, min_value=1, max_value=MAX_H100E)

    def validate(self, attrs):
        given = [name for name in ("capacity_tpp", "capacity_h100e") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError({"capacity_tpp": "Give the cap as capacity_tpp or capacity_h100e."})
        if "capacity_h100e" in attrs:
            attrs["capacity_tpp"] = tpp_from_h100e(attrs.pop("capacity_h100e"))
        return attrs


class MilestoneInputSerializer(StrictSerializer):
    description = serializers.CharField(max_length=300)
    amount_usd = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    due_on = serializers.DateField()
    us_site = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CapPartySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    country = serializers.CharField(source="country_id")


class PartyCapSerializer(serializers.ModelSerializer):
    party = CapPartySerializer()
    capacity_h100e = H100eField(source="capacity_tpp")

    class Meta:
        model = TermsPartyCap
        fields = ["party", "capacity_tpp", "capacity_h100e"]
        read_only_fields = fields


class AllotmentPartyCapSerializer(PartyCapSerializer):
    class Meta(PartyCapSerializer.Meta):
        model = AllotmentPartyCap


class MilestoneSerializer(serializers.ModelSerializer):
    terms_version = serializers.IntegerField(source="terms.version", read_only=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    waived_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = InvestmentMilestone
        fields = [
            "id",
            "terms_version",
            "description",
            "amount_usd",
            "due_on",
            "us_site",
            "delivered_usd",
            "verified_usd",
            "verified_at",
            "verified_by",
            "waived_at",
            "waived_by",
            "waiver_reason",
        ]
        read_only_fields = fields


class MilestoneRecordSerializer(StrictSerializer):
    """Amounts to date (not increments); the verified amount is at most the delivered one."""

    delivered_usd = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0))
    verified_usd = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0))


class MilestoneWaiveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


# Performance: GET /api/v1/agreements/{id}/performance/


class PerformanceRowSerializer(serializers.Serializer):
    """A period (`party` null: the whole allotment) or a capped party in it."""

    allotment = serializers.IntegerField(source="allotment.pk")
    period_start = serializers.DateField(source="allotment.period_start")
    period_end = serializers.DateField(source="allotment.period_end")
    party = serializers.SerializerMethodField()
    capacity_tpp = serializers.IntegerField()
    capacity_h100e = H100eField(source="capacity_tpp")
    committed_tpp = serializers.IntegerField()
    committed_h100e = H100eField(source="committed_tpp")
    shipped_tpp = serializers.IntegerField(allow_null=True, help_text="TPP shipped under licences drawing on it.")
    shipped_h100e = serializers.SerializerMethodField()
    remaining_tpp = serializers.IntegerField(help_text="Never below 0.")
    remaining_h100e = H100eField(source="remaining_tpp")

    @extend_schema_field(CapPartySerializer(allow_null=True))
    def get_party(self, row: PerformanceRow):
        return CapPartySerializer(row.party).data if row.party else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_shipped_h100e(self, row: PerformanceRow) -> str | None:
        return None if row.shipped_tpp is None else H100eField().to_representation(row.shipped_tpp)


class MilestonePerformanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="milestone.pk")
    description = serializers.CharField(source="milestone.description")
    us_site = serializers.CharField(source="milestone.us_site")
    due_on = serializers.DateField(source="milestone.due_on")
    amount_usd = serializers.DecimalField(source="milestone.amount_usd", max_digits=16, decimal_places=2)
    delivered_usd = serializers.DecimalField(source="milestone.delivered_usd", max_digits=16, decimal_places=2)
    verified_usd = serializers.DecimalField(source="milestone.verified_usd", max_digits=16, decimal_places=2)
    outstanding_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    verified = serializers.BooleanField()
    waived = serializers.BooleanField()
    overdue = serializers.BooleanField(help_text="Past due and neither verified in full nor waived: draws denied.")


class ObligationCountsSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="report | revenue_share | shipment_evidence | investment_milestone")
    label = serializers.CharField()
    open = serializers.IntegerField(help_text="Owed and not yet submitted (or rejected: owed again).")
    submitted = serializers.IntegerField(help_text="Submitted, awaiting an officer's review.")
    overdue = serializers.IntegerField(help_text="Past due and not accepted (whatever its status).")
    accepted = serializers.IntegerField()


class RevenueShareTotalsSerializer(serializers.Serializer):
    owed_usd = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Percent × invoice value, summed.")
    paid_usd = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Payments recorded against it and not rejected."
    )
    outstanding_usd = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Owed less paid, per obligation, never below 0."
    )


class PerformanceSerializer(serializers.Serializer):
    """A deal's performance: per period and capped party; what its licences owe by kind; the revenue share owed,
    paid and outstanding on their shipments; its investment milestones."""

    agreement = serializers.IntegerField(source="agreement.pk")
    reference = serializers.CharField(source="agreement.reference")
    periods = PerformanceRowSerializer(many=True)
    obligations = ObligationCountsSerializer(many=True, help_text="One row per obligation kind.")
    revenue_share = RevenueShareTotalsSerializer()
    milestones = MilestonePerformanceSerializer(many=True)


__all__ = [
    "AllotmentPartyCapSerializer",
    "MilestoneInputSerializer",
    "MilestoneRecordSerializer",
    "MilestoneSerializer",
    "MilestoneStatus",
    "MilestoneWaiveSerializer",
    "PartyCapInputSerializer",
    "PartyCapSerializer",
    "PerformanceSerializer",
]
