from rest_framework import serializers

from agreements.choices import PolicyKind
from agreements.models import Country, Policy
from agreements.selectors import is_embargoed


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
    set_by = serializers.StringRelatedField()
    size_bands = SizeBandSerializer(many=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "kind",
            "effective_from",
            "lpp_threshold_tpp",
            "tier2_allocation_tpp",
            "tier2_period_start",
            "tier2_period_end",
            "g2g_uplift",
            "licence_validity_days",
            "size_bands",
            "reason",
            "set_by",
            "created_at",
        ]


class PolicySwitchSerializer(serializers.Serializer):
    """Body of a regime switch. Parameters left out carry over from the policy in force."""

    kind = serializers.ChoiceField(choices=PolicyKind.choices)
    effective_from = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField()
    lpp_threshold_tpp = serializers.IntegerField(required=False, min_value=0, max_value=10**15)
    tier2_allocation_tpp = serializers.IntegerField(required=False, min_value=0, max_value=10**15)
    tier2_period_start = serializers.DateField(required=False)
    tier2_period_end = serializers.DateField(required=False)
    g2g_uplift = serializers.DecimalField(required=False, max_digits=4, decimal_places=2, min_value=1)
    licence_validity_days = serializers.IntegerField(required=False, min_value=1, max_value=36500)
    size_bands = SizeBandSerializer(many=True, required=False)
