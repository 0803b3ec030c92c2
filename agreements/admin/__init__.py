"""The staff side of the policy app, in the Django admin (SPEC § 5): reference data and the regime, agreements
and their terms, allotments with their ledger and the per-country usage dashboard.

Every write goes through agreements.services, exactly as the API's do."""

from agreements.admin import agreements, allotments, parties, reference  # noqa: F401  (registers the ModelAdmins)
