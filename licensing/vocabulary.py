"""Every status, outcome, presumption and rule in words: the one place pages take them from.

Templates use the `words` filter (`{{ value|words:"outcome" }}`, licensing/templatetags/words.py); admin
display methods and scripts call `words()` here. A kind's labels are its choices' labels (`choices.py`), so a
new status is worded once, where it is declared. An unknown value is shown as it is, never as an error."""

from django.db.models import Choices

from agreements.choices import (
    AgreementStatus,
    AllotmentSource,
    EndUseCategory,
    LedgerKind,
    PolicyKind,
    PolicyStatus,
    ReportingCadence,
)
from licensing.choices import (
    ApplicationStatus,
    LicenceStatus,
    Outcome,
    PartyRole,
    Presumption,
    Recommendation,
    RecommendationKind,
)
from portal.choices import AgencyCode, Role

NOTHING = "—"

KINDS: dict[str, type[Choices]] = {
    "outcome": Outcome,
    "presumption": Presumption,
    "application_status": ApplicationStatus,
    "licence_status": LicenceStatus,
    "agreement_status": AgreementStatus,
    "policy_kind": PolicyKind,
    "policy_status": PolicyStatus,
    "end_use": EndUseCategory,
    "reporting": ReportingCadence,
    "allotment_source": AllotmentSource,
    "ledger": LedgerKind,
    "party_role": PartyRole,
    "recommendation": Recommendation,
    "recommendation_kind": RecommendationKind,
    "agency": AgencyCode,
    "role": Role,
}

# The determination engine's rules (licensing/determination.py), each as a reader would name it.
RULES: dict[str, str] = {
    "common.not_controlled": "Below the 3A090/4A090 thresholds: not controlled",
    "common.united_states": "Export within the United States",
    "common.embargoed_destination": "Destination under a comprehensive embargo (Country Groups E:1, E:2)",
    "common.embargoed_end_user_hq": "End user headquartered in an embargoed country",
    "common.d5": "Country Group D:5 or Macau: presumption of denial",
    "common.d5_destination": "Destination in Country Group D:5 or Macau",
    "common.d5_end_user_hq": "End user headquartered in Country Group D:5 or Macau",
    "common.tier3": "Tier 3 country: presumption of denial",
    "common.tier3_destination": "Destination in Tier 3",
    "common.tier3_end_user_hq": "End user headquartered in a Tier 3 country",
    "tiered.lpp": "Licence exception LPP (§ 740.29), tiered regime",
    "global.lpp": "Licence exception LPP (§ 740.29), global regime",
    "tiered.tier1_aia": "Tier 1: licence exception AIA",
    "tiered.tier1_hq_outside": "Tier 1 destination, end user headquartered outside Tier 1",
    "tiered.allocation": "Tier 2 allocation",
    "tiered.allocation_exhausted": "Tier 2 allocation exhausted",
    "tiered.no_allotment": "No Tier 2 allocation for the period",
    "global.no_agreement": "No government-to-government agreement in force",
    "global.allotment": "Allotment under the agreement's terms",
    "global.allotment_exhausted": "Agreement allotment exhausted",
    "global.no_allotment": "No allotment under the agreement for the period",
    "global.size_band": "Size band condition",
    "global.band_requirement_missing": "Size band requirement not met",
    "global.end_use_not_permitted": "End use not permitted by the agreement",
    "global.excluded_end_user": "End user excluded by the agreement",
    "global.party_cap": "Party cap under the agreement",
    "global.party_cap_exhausted": "Party cap under the agreement used up",
    "baseline.d1_d4": "Country Group D:1 or D:4 (§ 742.6(a)(6)(iii)): licence required",
    "baseline.case_by_case": "Baseline regime: reviewed case by case",
    "baseline.no_requirement": "Baseline regime: no licence requirement for this destination",
    "baseline.agreement_allotment": "Allotment under the agreement's terms, baseline regime",
    "baseline.agreement_allotment_exhausted": "Agreement allotment exhausted, baseline regime",
    "baseline.end_use_not_permitted": "End use not permitted by the agreement",
    "baseline.excluded_end_user": "End user excluded by the agreement",
    "baseline.party_cap": "Party cap under the agreement",
    "baseline.party_cap_exhausted": "Party cap under the agreement used up",
    "programme.scope_in": "Brought into scope by a licence-review programme",
    "programme.case_by_case": "Licence-review programme: reviewed case by case",
    "programme.denial": "Licence-review programme: presumption of denial",
    "programme.not_covered": "Licence-review programme does not cover this export",
    "terms.investment_overdue": "Investment milestone overdue under the agreement",
}
# Why a line of a decided application got less than requested (licensing.letters.letter_lines): the decision's
# own rules, worded for the exporter's page and the letters.
RULES |= {
    "decision.not_controlled": "Not controlled: no licence is needed for this line",
    "decision.not_approved": "Not approved by the approving official",
    "decision.approver_cut": "Approved in part by the approving official",
    "decision.officer_proposal": "Cut to the quantity the licensing officer proposed",
    "decision.allotment_remaining": "Cut to what the allotment had remaining",
    "decision.party_cap": "Cut to what the party's cap under the agreement had remaining",
}


def words(value: object, kind: str) -> str:
    """`value` of the choices named `kind` in words: its label; a dash for none; an unknown value as it is."""
    if value is None or value == "":
        return NOTHING
    if kind == "rule":
        return RULES.get(str(value), str(value))
    choices = KINDS[kind]
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def labels(kind: str) -> dict[str, str]:
    """Value → label of one kind, for a page's script (the application form's live preview)."""
    return {str(member.value): str(member.label) for member in KINDS[kind]}
