from django.conf import settings
from django.db import models

from portal.choices import AgencyCode


class Organisation(models.Model):
    """An exporting company. Exporters act only on their own organisation's records."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    code = models.CharField(max_length=16, choices=AgencyCode.choices, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Where a user belongs: an exporter's organisation and/or a reviewer's agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation or self.agency or '—'}"


class AuditEvent(models.Model):
    """Who did what to which record. Append-only: a database trigger rejects UPDATE and DELETE."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, help_text="app_label.model of the target")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"], name="audit_target_idx"),
            models.Index(fields=["verb"], name="audit_verb_idx"),  # the admin's filter: its values, and by one
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.target_repr}"


class ReferenceStamp(models.Model):
    """One row: a token every write to the slow-changing reference facts (catalogue, tiers, Country Groups, policies,
    programmes, agreements and their terms) replaces in its own transaction (portal.reference_stamp). A process
    keeps the facts it read under the token it read first; a new token means read them again. Tokens are random,
    never a counter: a rolled-back write's token is never seen again, so facts read inside it can never be taken for
    committed ones."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


# The inbox lives in its own module (it is scoped, and portal.scoping reads the models above).
from portal.inbox_models import InboxMessage  # noqa: E402

__all__ = ["Agency", "AuditEvent", "InboxMessage", "Membership", "Organisation", "ReferenceStamp"]
