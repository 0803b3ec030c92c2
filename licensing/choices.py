from django.db import models


class ProductKind(models.TextChoices):
    CHIP = "chip", "Chip"
    SYSTEM = "system", "System"


class Eccn(models.TextChoices):
    CHIP_3A090A = "3A090.a", "3A090.a"
    SYSTEM_4A090A = "4A090.a", "4A090.a"
    NOT_CONTROLLED = "not controlled", "Not controlled"
    UNCLASSIFIED = "unclassified", "Unclassified (die area needed)"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    INFO_REQUESTED = "info_requested", "Information requested"
    REFERRED = "referred", "Referred to agencies"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    RETURNED = "returned", "Returned without action"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_APPLICATION_STATUSES = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.DENIED, ApplicationStatus.RETURNED, ApplicationStatus.WITHDRAWN}
)
# Submitted and not yet decided: the negotiators' "demand" on an allotment.
PENDING_APPLICATION_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.REFERRED,
    }
)


class PartyRole(models.TextChoices):
    PURCHASER = "purchaser", "Purchaser"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee", "Intermediate consignee"
    ULTIMATE_CONSIGNEE = "ultimate_consignee", "Ultimate consignee"
    END_USER = "end_user", "End user"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    DENY = "deny", "Deny"


class RecommendationKind(models.TextChoices):
    OFFICER = "officer", "Officer"
    AGENCY = "agency", "Agency"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    EXHAUSTED = "exhausted", "Exhausted"


class Outcome(models.TextChoices):
    """What the determination engine answers (licensing.determination), in the words every page shows."""

    NOT_CONTROLLED = "not_controlled", "Not controlled"
    PROHIBITED = "prohibited", "Prohibited"
    NO_LICENCE_REQUIRED = "no_licence_required", "No licence required"
    LPP_ELIGIBLE = "lpp_eligible", "Eligible for licence exception LPP"
    LICENCE_REQUIRED = "licence_required", "Licence required"


class Presumption(models.TextChoices):
    APPROVAL = "approval", "Presumption of approval"
    DENIAL = "denial", "Presumption of denial"
