from django.db import models


class Tier(models.IntegerChoices):
    TIER_1 = 1, "Tier 1"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3 (embargoed)"


class PolicyKind(models.TextChoices):
    TIERED = "tiered", "Tiered (AI Diffusion rule)"
    GLOBAL = "global", "Global (government-to-government agreements)"
