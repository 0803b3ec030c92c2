"""Writes of the policy side. One public function per use case, one transaction each, each audited; every one
checks its actor (`_permit.authorize`, or the transition table for status changes).

Callers keep writing `from agreements import services; services.agreement_create(...)`: the use cases of each
module are re-exported here.

- policy: the regime (proposed by one policy administrator, approved by another) and the tier list
- agreements: agreements, their terms (helpers in terms) and their lifecycle
- allotments: allotments from terms and policy, and the quota ledger
- country_groups: EAR Country Group memberships
"""

from agreements.services._permit import SYSTEM
from agreements.services.agreements import (
    AGREEMENT_FIELDS,
    agreement_create,
    agreement_enter_into_force,
    agreement_expire,
    agreement_resume,
    agreement_sign,
    agreement_start_negotiation,
    agreement_suspend,
    agreement_terminate,
    agreement_update,
    agreements_expire_due,
    amendment_create,
)
from agreements.services.allotments import (
    agreement_allotments_apply_due,
    allotment_release,
    allotment_reserve,
    party_caps_recount,
    tier_allocations_sync,
)
from agreements.services.country_groups import country_group_membership_set
from agreements.services.policy import (
    policy_approve,
    policy_propose,
    policy_withdraw,
    proposed_policy,
    tier_membership_set,
    validate_size_bands,
)

__all__ = [
    "country_group_membership_set",
    "AGREEMENT_FIELDS",
    "SYSTEM",
    "agreement_allotments_apply_due",
    "agreement_create",
    "agreement_enter_into_force",
    "agreement_expire",
    "agreement_resume",
    "agreement_sign",
    "agreement_start_negotiation",
    "agreement_suspend",
    "agreement_terminate",
    "agreement_update",
    "agreements_expire_due",
    "allotment_release",
    "allotment_reserve",
    "party_caps_recount",
    "amendment_create",
    "policy_approve",
    "policy_propose",
    "policy_withdraw",
    "proposed_policy",
    "tier_allocations_sync",
    "tier_membership_set",
    "validate_size_bands",
]
