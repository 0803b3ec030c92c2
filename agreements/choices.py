from django.db import models


class Tier(models.IntegerChoices):
    TIER_1 = 1, "Tier 1"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3 (embargoed)"


class Region(models.TextChoices):
    """The regions of the UN M49 standard (agreements/migrations/0014_country_regions names the source)."""

    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    OCEANIA = "oceania", "Oceania"
    ANTARCTICA = "antarctica", "Antarctica (in no M49 region)"


class CountryGroup(models.TextChoices):
    """EAR Country Groups (Supplement No. 1 to Part 740) the determination reads."""

    A5 = "A:5", "A:5"
    A6 = "A:6", "A:6"
    D1 = "D:1", "D:1 (national security)"
    D4 = "D:4", "D:4 (missile technology)"
    D5 = "D:5", "D:5 (US arms embargoed)"
    E1 = "E:1", "E:1 (terrorist supporting countries)"
    E2 = "E:2", "E:2 (unilateral embargo)"


# Comprehensive embargoes: a controlled export to (or for an entity headquartered in) one is prohibited outright.
EMBARGO_GROUPS = frozenset({CountryGroup.E1, CountryGroup.E2})


class PolicyKind(models.TextChoices):
    TIERED = "tiered", "Tiered (AI Diffusion rule)"
    BASELINE = "baseline", "Baseline (Country Groups, case by case)"
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
