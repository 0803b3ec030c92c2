from portal.errors import DomainError


class AllotmentExhausted(DomainError):
    code = "allotment_exhausted"


class TermsLocked(DomainError):
    code = "terms_locked"
