from django.conf import settings
from django.db import models

from agreements.choices import PolicyKind, Tier


class Country(models.Model):
    """An ISO 3166-1 country, keyed by its alpha-2 code."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TierMembership(models.Model):
    """A country's tier from a date on; the latest row on or before a date is the tier then."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="tier_memberships")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    effective_from = models.DateField()
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "effective_from"], name="one_tier_change_per_country_day"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id}: tier {self.tier} from {self.effective_from}"


class Policy(models.Model):
    """The regime and its parameters from an instant on. Rows are never changed once in force."""

    kind = models.CharField(max_length=10, choices=PolicyKind.choices)
    effective_from = models.DateTimeField(unique=True)
    lpp_threshold_tpp = models.BigIntegerField(
        help_text="TPP per ultimate consignee per calendar year under licence exception LPP (0 = no exception)."
    )
    tier2_allocation_tpp = models.BigIntegerField(help_text="Tier 2 country allocation for the period.")
    tier2_period_start = models.DateField()
    tier2_period_end = models.DateField()
    g2g_uplift = models.DecimalField(
        max_digits=4, decimal_places=2, help_text="Tier 2 allocation multiplier while an agreement is in force."
    )
    licence_validity_days = models.PositiveIntegerField()
    size_bands = models.JSONField(
        default=list, help_text='Global regime installation bands: [{"h100e": 1000, "condition": "..."}, ...]'
    )
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "policies"
        permissions = [("switch_policy", "Can switch the export-control regime")]
        constraints = [
            models.CheckConstraint(condition=models.Q(lpp_threshold_tpp__gte=0), name="policy_lpp_not_negative"),
            models.CheckConstraint(condition=models.Q(tier2_allocation_tpp__gte=0), name="policy_alloc_not_negative"),
            models.CheckConstraint(
                condition=models.Q(tier2_period_end__gte=models.F("tier2_period_start")), name="policy_period_order"
            ),
            models.CheckConstraint(condition=models.Q(g2g_uplift__gte=1), name="policy_uplift_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.effective_from:%Y-%m-%d %H:%M}"
