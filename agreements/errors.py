from portal.errors import DomainError


class AllotmentExhausted(DomainError):
    code = "allotment_exhausted"


class PartyCapExhausted(AllotmentExhausted):
    """A draw beyond what remains of a named party's cap inside an allotment (SPEC § 2 "Terms v2")."""

    code = "party_cap_exhausted"


class TermsLocked(DomainError):
    code = "terms_locked"


class OwnProposal(DomainError):
    """A policy administrator may not approve the regime switch they proposed (SPEC § 4 v2: two people)."""

    code = "own_proposal"


class InstantTaken(DomainError):
    code = "instant_taken"
