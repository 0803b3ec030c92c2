"""Inbox messages (SPEC § 2, § 4 v2 Messages). Imported by portal.models, so the model belongs to portal."""

from django.conf import settings
from django.db import models

from portal.scoping import RestrictedQuerySet, Scope


class InboxMessage(models.Model):
    """A message to one user about one record (SPEC § 2 Inbox message), written in the transaction of the event
    it reports; its e-mail copy is sent by a task (`emailed_at` once sent). `about` is the record's
    "app_label.model" and id, so any app can write one without portal importing it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    about_type = models.CharField(max_length=80, help_text="app_label.model of the record the message is about")
    about_id = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="Where the recipient sees the record.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(recipient="recipient")  # one's own messages only
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="inbox_unread_idx"),
            models.Index(fields=["about_type", "about_id"], name="inbox_about_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
