"""The staff side of the policy app, in the Django admin (SPEC § 5): reference data and the regime, agreements
and their terms, allotments with their ledger.

Every write goes through agreements.services, exactly as the API's do. The figures only licensing knows (pending
demand, the dashboard of use per country, a switch's impact on pending applications) are added by
licensing.admin.policy_side, which registers subclasses of these admins with them passed in."""

from agreements.admin import agreements, allotments, parties, policy, reference  # noqa: F401  (registers the ModelAdmins)

# isort: split
from agreements.admin import country_groups  # noqa: F401  (EAR Country Groups)
