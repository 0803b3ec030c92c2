"""How the case admin shows clocks and quantities: small, pure helpers (no ORM, no request).

Days left are rounded up (due in 89 days and 2 hours: "90 days left"); days overdue are whole days past the
due time, at least one (2 hours late: "overdue by 1 day"; 5 days and 2 hours: "overdue by 5 days").
Colour only ever repeats what the words already say."""

import datetime
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from agreements.units import h100e
from licensing.choices import FINAL_APPLICATION_STATUSES, ApplicationStatus
from licensing.models import Application, Referral
from portal.choices import AgencyCode

DAY = datetime.timedelta(days=1)
OVERDUE_STYLE = "color:#b50909;font-weight:bold"
PAUSED_STYLE = "color:#5c5c5c;font-style:italic"


def whole_days(delta: datetime.timedelta) -> int:
    """Whole days in a positive interval, rounded up."""
    return -(-delta // DAY)


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


@dataclass(frozen=True)
class Clock:
    text: str
    overdue: bool = False
    paused: bool = False

    def html(self) -> str:
        if self.overdue:
            return format_html('<span style="{}">{}</span>', OVERDUE_STYLE, self.text)
        if self.paused:
            return format_html('<span style="{}">{}</span>', PAUSED_STYLE, self.text)
        return self.text


def review_clock(application: Application, now: datetime.datetime) -> Clock:
    """The 90-day clock: days left, paused while the exporter is asked for information, or overdue."""
    if application.status in FINAL_APPLICATION_STATUSES:
        return Clock("— (decided)" if application.status != ApplicationStatus.WITHDRAWN else "— (withdrawn)")
    if application.due_at is None:
        return Clock("— (not submitted)")
    if application.paused_at is not None:
        return Clock("paused (info requested)", paused=True)
    remaining = application.due_at - now
    if remaining < datetime.timedelta(0):
        return Clock(f"overdue by {days(max(1, -remaining // DAY))}", overdue=True)
    return Clock(f"{days(whole_days(remaining))} left")


def days_left_when_resumed(application: Application) -> int:
    """While paused, the days the officer will have once the exporter answers."""
    return whole_days(max(application.due_at - application.paused_at, datetime.timedelta(0)))


def referral_clock(referral: Referral, now: datetime.datetime) -> Clock:
    """An agency's 30-day clock: days left, answered, or past due (which counts as no objection)."""
    if referral.answered_at is not None and not referral.recommendation:
        return Clock("no answer in 30 days: no objection", paused=True)  # closed as lapsed on a new referral
    if referral.answered_at is not None:
        return Clock(f"recommended {referral.get_recommendation_display().lower()}")
    remaining = referral.due_at - now
    if remaining <= datetime.timedelta(0):
        return Clock("past due: no objection", paused=True)
    return Clock(f"{days(whole_days(remaining))} left")


def referral_state(seen, now: datetime.datetime) -> Clock:
    """A referral's clock as its viewer may see it (`selectors.ReferralAsSeen`): without detail, only whether
    the agency answered."""
    if seen.detail:
        return referral_clock(seen.referral, now)
    return Clock("answered") if seen.answered else Clock("not answered", paused=True)


def unanswered(referrals) -> list[Referral]:
    return [referral for referral in referrals if referral.answered_at is None]


def agency_label(agency) -> str:
    """The short name of an agency ("Defense"), for lists where the full one is too long."""
    return AgencyCode(agency.code).label if agency.code in AgencyCode.values else agency.name


def referral_clocks_html(referrals, now: datetime.datetime, *, empty: str = "—") -> str:
    """One line per agency: "Defense: 12 days left", "State: past due: no objection"."""
    rows = [(agency_label(referral.agency), referral_clock(referral, now).html()) for referral in referrals]
    if not rows:
        return empty
    return format_html_join(mark_safe("<br>"), "{}: {}", rows)  # noqa: S308  (a constant tag)


def h100e_text(tpp: int) -> str:
    return f"{h100e(tpp):,}"


def bullet_list(items, empty: str = "None") -> str:
    items = list(items)
    if not items:
        return empty
    return format_html(
        '<ul style="margin:0;padding-left:1.2em">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items))
    )


def table(headers: list[str], rows: list[tuple], empty: str) -> str:
    """A small read-only table for a section of a record's page."""
    if not rows:
        return empty
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)
