from portal.errors import DomainError


class NotControlled(DomainError):
    code = "not_controlled"


class NoLicenceRequired(DomainError):
    code = "no_licence_required"


class FourEyes(DomainError):
    code = "four_eyes"


class DecisionRefused(DomainError):
    code = "decision_refused"


class ShipmentRefused(DomainError):
    code = "shipment_refused"


class NotificationRefused(DomainError):
    code = "notification_refused"


class DocumentRefused(DomainError):
    """A document cannot be attached or opened now (its parent is submitted; it is quarantined or unscanned)."""

    code = "document_refused"
