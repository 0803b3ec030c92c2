"""The staff side of the case app, in the Django admin (SPEC § 5): the chip catalogue, the case queue with its
clocks and workflow actions, licences and LPP notifications.

Every write goes through licensing.services, exactly as the API's do; scope comes from licensing.selectors."""

import licensing.admin.parties  # noqa: F401  (the party register, with licensing's filings passed in)
import licensing.admin.policy_side  # noqa: F401  (the policy side's pages, with licensing's figures passed in)
from licensing.admin import (  # noqa: F401  (registers)
    applications,
    catalogue,
    licences,
    notifications,
    obligations,
    programmes,
)
