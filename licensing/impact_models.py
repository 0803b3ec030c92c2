"""The impact of a proposal computed as a background task (above settings.IMPACT_PREVIEW_SYNC_LIMIT pending cases):
its progress while it runs, then the summary and the whole detail as CSV, as of the instant it determined at."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from licensing.choices import ImpactRunStatus


class ImpactRun(models.Model):
    policy = models.ForeignKey("agreements.Policy", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ImpactRunStatus.choices, default=ImpactRunStatus.QUEUED)
    pending = models.PositiveIntegerField(default=0, help_text="Pending applications to determine.")
    done = models.PositiveIntegerField(default=0, help_text="Determined so far, now and under the proposal.")
    at = models.DateTimeField(null=True, blank=True, help_text="The instant every case was determined at.")
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="changed, changes, destinations.")
    detail_csv = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["policy", "-created_at"], name="impact_run_policy_idx")]

    def __str__(self) -> str:
        return f"Impact of policy {self.policy_id}, {self.get_status_display().lower()}"

    @property
    def finished(self) -> bool:
        return self.status in (ImpactRunStatus.DONE, ImpactRunStatus.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.status == ImpactRunStatus.DONE else (100 * self.done // self.pending if self.pending else 0)
