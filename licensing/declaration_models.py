"""The exporter's declaration at submission (SPEC § 4 v2 Submit): the wording is data, versioned like a
programme's certifications, so a declaration always names the text that was declared. Imported by
licensing.models, so the models belong to the licensing app."""

from django.conf import settings
from django.db import models

from portal.scoping import RestrictedQuerySet, Scope


class DeclarationText(models.Model):
    """One wording of the declaration; the newest in effect on a day is the one an exporter declares."""

    version = models.PositiveSmallIntegerField(unique=True)
    text = models.TextField()
    effective_from = models.DateField()
    source = models.TextField(blank=True, help_text="Where the wording comes from.")

    scope = Scope()
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-version"]

    def __str__(self) -> str:
        return f"Declaration v{self.version} (from {self.effective_from})"


class Declaration(models.Model):
    """Who declared an application true and complete, when, and in which wording."""

    application = models.OneToOneField("licensing.Application", on_delete=models.PROTECT, related_name="declaration")
    text = models.ForeignKey(DeclarationText, on_delete=models.PROTECT, related_name="+")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()

    scope = Scope(parents=("application",))
    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.application}: declaration v{self.text.version}"
