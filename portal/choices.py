from django.db import models


class Role(models.TextChoices):
    """Each role is a Django group of the same name holding custom permissions."""

    EXPORTER = "exporter", "Exporter"
    LICENSING_OFFICER = "licensing_officer", "Licensing officer"
    APPROVING_OFFICIAL = "approving_official", "Approving official"
    AGENCY_REVIEWER = "agency_reviewer", "Agency reviewer"
    NEGOTIATOR = "negotiator", "Negotiator"
    POLICY_ADMIN = "policy_admin", "Policy administrator"


# Roles whose work is in the Django admin. A user's `is_staff` flag is derived from these and nothing else:
# exporters work on the exporter pages and the API only.
ADMIN_ROLES = frozenset(set(Role) - {Role.EXPORTER})


class AgencyCode(models.TextChoices):
    COMMERCE = "commerce", "Commerce (BIS)"
    DEFENSE = "defense", "Defense"
    STATE = "state", "State"
    ENERGY = "energy", "Energy"


REVIEWING_AGENCIES = (AgencyCode.DEFENSE, AgencyCode.STATE, AgencyCode.ENERGY)
