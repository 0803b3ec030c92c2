from django.db import models


class Tier(models.IntegerChoices):
    TIER_1 = 1, "Tier 1"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3 (embargoed)"


class PolicyKind(models.TextChoices):
    TIERED = "tiered", "Tiered (AI Diffusion rule)"
    GLOBAL = "global", "Global (government-to-government agreements)"


class PolicyStatus(models.TextChoices):
    """A regime switch takes two people (SPEC § 4 v2): one proposes, another approves; only approved ones count."""

    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    NEGOTIATING = "negotiating", "Negotiating"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"
    SUSPENDED = "suspended", "Suspended"
    TERMINATED = "terminated", "Terminated"
    EXPIRED = "expired", "Expired"


TERMS_EDITABLE_STATUSES = frozenset({AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING})


class EndUseCategory(models.TextChoices):
    COMMERCIAL_DATACENTER = "commercial_datacenter", "Commercial data centre"
    CLOUD_SERVICES = "cloud_services", "Cloud services"
    RESEARCH = "research", "Research"
    GOVERNMENT = "government", "Government"
    TELECOMMUNICATIONS = "telecommunications", "Telecommunications"
    OTHER = "other", "Other"


class ReportingCadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMIANNUAL = "semiannual", "Every six months"
    ANNUAL = "annual", "Annually"


class AllotmentSource(models.TextChoices):
    TIER_ALLOCATION = "tier_allocation", "Tier 2 allocation"
    AGREEMENT = "agreement", "Agreement terms"


class LedgerKind(models.TextChoices):
    RESERVE = "reserve", "Reserve"
    RELEASE = "release", "Release"
