"""The case queue's filters: what a person narrows the list of applications by."""

import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from licensing import selectors
from licensing.choices import FINAL_APPLICATION_STATUSES, PENDING_APPLICATION_STATUSES, ApplicationStatus
from licensing.models import Referral
from portal.choices import REVIEWING_AGENCIES

OPEN = "open"
DECIDED = "decided"
ALL = "all"
DUE_SOON_DAYS = 14


class _ChoicesWithoutAll(admin.SimpleListFilter):
    """A filter whose options are exactly its lookups: the first one is selected when none is given."""

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class StatusFilter(_ChoicesWithoutAll):
    """The queue: open cases unless asked for something else (decided, everything submitted)."""

    title = "status"
    parameter_name = "status"
    default = OPEN

    def lookups(self, request, model_admin):
        open_statuses = [s for s in ApplicationStatus if s in PENDING_APPLICATION_STATUSES]
        final_statuses = [s for s in ApplicationStatus if s in FINAL_APPLICATION_STATUSES]
        return [
            (OPEN, "Open cases (the queue)"),
            *((s.value, f"· {s.label}") for s in open_statuses),
            (DECIDED, "Decided or withdrawn"),
            *((s.value, f"· {s.label}") for s in final_statuses),
            (ALL, "All"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == OPEN:
            return queryset.filter(is_open=True)  # its index serves every plan (Application.is_open)
        if value == DECIDED:
            return queryset.filter(status__in=FINAL_APPLICATION_STATUSES)
        if value in ApplicationStatus.values:
            return queryset.filter(status=value)
        return queryset


class ReviewClockFilter(admin.SimpleListFilter):
    """The 90-day clock: overdue, due soon, or stopped while the exporter answers a question."""

    title = "90-day clock"
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due_soon", f"Due within {DUE_SOON_DAYS} days"),
            ("paused", "Paused (information requested)"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        running = queryset.filter(is_open=True, paused_at__isnull=True)
        if self.value() == "overdue":
            return running.filter(due_at__lt=now)
        if self.value() == "due_soon":
            return running.filter(due_at__gte=now, due_at__lt=now + datetime.timedelta(days=DUE_SOON_DAYS))
        if self.value() == "paused":
            return queryset.filter(status=ApplicationStatus.INFO_REQUESTED, paused_at__isnull=False)
        return queryset


class ReferredAgencyFilter(admin.SimpleListFilter):
    """Cases referred to an agency; "awaiting" keeps those whose referral is unanswered and within its 30 days."""

    title = "referred to"
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        referred = [(agency.value, agency.label) for agency in REVIEWING_AGENCIES]
        awaiting = [(f"{agency.value}:awaiting", f"{agency.label}: answer awaited") for agency in REVIEWING_AGENCIES]
        return [*referred, *awaiting]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        code, _, state = self.value().partition(":")
        referrals = Referral.objects.filter(application=OuterRef("pk"), agency__code=code)
        if state == "awaiting":
            referrals = referrals.filter(Referral.open_at(timezone.now()))
        return queryset.filter(Exists(referrals))


class InScopeRelatedFilter(admin.RelatedFieldListFilter):
    """Like RelatedOnlyFieldListFilter (only the countries, officers… that occur in the person's records), but
    asked as one `IN (subquery)` instead of fetching every row's key: it stays fast on 100,000 records."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = "None yet"

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).order_by().values(self.field_path)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": used}, ordering=ordering)


class AwaitingMyDecisionFilter(admin.SimpleListFilter):
    """The approver's queue: cases under review with an officer's recommendation, which this user may decide
    (never a case they recommended themselves)."""

    title = "decision"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [("mine", "Awaiting my decision")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return selectors.awaiting_decision_by(request.user, queryset)
        return queryset
