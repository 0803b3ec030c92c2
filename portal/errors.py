"""Domain errors raised by services. The API's exception handler maps them to HTTP in one place."""


class DomainError(Exception):
    """A rule refuses the action now (HTTP 409). The message tells a person what to do."""

    code = "conflict"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class InvalidTransition(DomainError):
    code = "invalid_transition"


class RuleRefused(DomainError):
    code = "rule_refused"
