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
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"  # agencies (SPEC § 4 v2)
    DENY = "deny", "Deny"


OFFICER_RECOMMENDATIONS = (Recommendation.APPROVE, Recommendation.DENY)  # the officer proposes conditions apart


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
    CASE_BY_CASE = "case_by_case", "Reviewed case by case"


class ProgrammePresumption(models.TextChoices):
    """A programme's review policy (SPEC § 2 Programme): the presumption its covered exports are reviewed with."""

    DENIAL = "denial", "Presumption of denial"
    CASE_BY_CASE = "case_by_case", "Case by case"


class LevyBasis(models.TextChoices):
    """What a programme's percentage is owed on (an obligation of the licences it issues under)."""

    REVENUE_SHARE = "revenue_share", "Share of the related revenue"
    DUTY = "duty", "Duty on the chips"


class DocumentKind(models.TextChoices):
    """What a document is (SPEC § 4 Letters): uploaded by a user, or rendered by the portal on a decision."""

    UPLOAD = "upload", "Supporting document"
    LETTER = "letter", "Decision letter"
    LICENCE = "licence", "Licence document"


class ScanStatus(models.TextChoices):
    """A document's malware scan (SPEC § 6 v2): `not_scanned` where no scanner is configured."""

    NOT_SCANNED = "not_scanned", "Not scanned"
    PENDING = "pending", "Scan pending"
    CLEAN = "clean", "Clean"
    INFECTED = "infected", "Infected (quarantined)"
    ERROR = "error", "Scan failed"


class ObligationKind(models.TextChoices):
    """What a licence owes after it is issued (SPEC § 2 Obligation)."""

    REPORT = "report", "Periodic report"
    REVENUE_SHARE = "revenue_share", "Revenue share or duty"
    SHIPMENT_EVIDENCE = "shipment_evidence", "Shipment evidence"
    INVESTMENT_MILESTONE = "investment_milestone", "Investment milestone"  # reserved: milestones live on terms


class ObligationStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Confirmed (licence suspended)"
    DISMISSED = "dismissed", "Dismissed"


class ImpactRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
