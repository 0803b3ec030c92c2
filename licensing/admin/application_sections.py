"""What a case shows in the admin: the queue's columns and the read-only sections of a case's page. Reads only:
every value comes from the application and its related rows (prefetched by the admin's queryset)."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agreements.units import tpp_and_h100e
from licensing import selectors
from licensing.admin import display
from licensing.choices import FINAL_APPLICATION_STATUSES, ApplicationStatus, PartyRole
from licensing.models import ApplicationLine, ApplicationParty, InfoRequest, RecommendationEntry
from licensing.vocabulary import words
from portal.display import when

FIELDSETS = [
    (
        "The case",
        {
            "fields": [
                ("acn_display", "status"),
                ("organisation_name", "submission"),
                ("destination_display", "end_use_category"),
                "end_use",
                "parties_table",
                "lines_table",
            ]
        },
    ),
    (
        "Determination at submission (frozen)",
        {
            "fields": ["outcome_display", "reasons_display", "conditions_display", "allotment_display"],
            "description": "What the rules in force said when the exporter submitted. An approval is determined "
            "again at the moment of decision.",
        },
    ),
    ("Clocks", {"fields": ["review_clock_detail", "referral_clocks_detail"]}),
    ("Information requests", {"fields": ["info_requests_table"]}),
    ("Referrals and agency recommendations", {"fields": ["referrals_table"]}),
    (
        "Officer recommendation",
        {
            "fields": [
                ("officer_name", "recommended_by_name"),
                "recommendation",
                "recommendation_rationale",
                "recommendation_proposal",
                "recommendation_history",
            ]
        },
    ),
    ("Decision", {"fields": [("decided_display", "licence_display"), "decision_reason"]}),
]
# An agency reviewer's page (SPEC § 1): the case without the officer's recommendation, rationale and history;
# the referrals as `selectors.referrals_as_seen` shows them (set on the case by ApplicationAdmin.get_object).
REVIEWER_FIELDSETS = [section for section in FIELDSETS if section[0] != "Officer recommendation"]


def _referrals_seen(application) -> list[selectors.ReferralAsSeen]:
    """The referrals as the page's viewer may see them; without a viewer, none in detail (fail closed)."""
    seen = getattr(application, "referrals_seen", None)
    if seen is not None:
        return seen
    return [selectors.ReferralAsSeen(referral, detail=False) for referral in application.referrals.all()]


def _user(user) -> str:
    return user.get_username() if user is not None else "—"


def _when(moment) -> str:
    return when(moment)


def _info_request_answer(request: InfoRequest) -> str:
    if request.withdrawn_at is not None:
        return f"Withdrawn {_when(request.withdrawn_at)} by {_user(request.withdrawn_by)}: {request.withdrawal_reason}"
    amended = f" (question amended {_when(request.amended_at)})" if request.amended_at else ""
    return (request.answer or "Awaiting the exporter's answer") + amended


def proposal_text(application, quantities: dict, conditions: list) -> str:
    """The officer's proposal in words: each line's proposed against requested, and the conditions."""
    lines = {str(line.product_id): line for line in application.lines.all()}
    parts = [
        f"{lines[pid].product}: {qty:,} of {lines[pid].quantity:,} requested"
        for pid, qty in (quantities or {}).items()
        if pid in lines
    ]
    if conditions:
        parts.append("conditions: " + "; ".join(conditions))
    return "; ".join(parts) or "As requested, no conditions."


class ApplicationSectionsMixin:
    """The ModelAdmin's display methods for the queue and the case page (FIELDSETS)."""

    # The queue's columns

    def action_checkbox(self, application):
        """Django's own checkbox (`ModelAdmin.action_checkbox`), the same HTML written directly: the form widget
        renders its template for every row, a sixth of the queue's time."""
        label = format_html(_("Select this object for an action - {}"), str(application))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(application.pk),
            label,
        )

    @admin.display(description="ACN", ordering="acn")
    def acn_display(self, application):
        return application.acn or f"Draft #{application.pk}"

    @admin.display(description="Exporter", ordering="organisation__name")
    def exporter(self, application):
        return application.organisation.name

    @admin.display(description="H100e requested", ordering="requested_tpp")
    def requested_h100e(self, application):
        if application.status == ApplicationStatus.DRAFT:
            return "—"
        return display.h100e_text(application.requested_tpp)

    @admin.display(description="90-day clock", ordering="due_at")
    def review_clock(self, application):
        return display.review_clock(application, timezone.now()).html()

    @admin.display(description="Open referrals")
    def referral_clocks(self, application):
        return display.referral_clocks_html(display.unanswered(application.referrals.all()), timezone.now())

    # The case page's sections

    @admin.display(description="Exporter")
    def organisation_name(self, application):
        return application.organisation.name

    @admin.display(description="Submitted")
    def submission(self, application):
        if not application.submitted_at:
            return "Not yet"
        return f"{_when(application.submitted_at)} by {_user(application.submitted_by)}"

    @admin.display(description="Destination")
    def destination_display(self, application):
        return str(application.destination)

    @admin.display(description="Parties")
    def parties_table(self, application):
        parties = ApplicationParty.objects.filter(application=application).select_related("country", "hq_country")
        rows = [
            (
                party.get_role_display(),
                party.name,
                party.address or "—",
                str(party.country),
                str(party.hq_country) if party.role == PartyRole.END_USER and party.hq_country else "—",
            )
            for party in parties
        ]
        return display.table(["Role", "Name", "Address", "Country", "Headquarters"], rows, "No parties.")

    @admin.display(description="Lines")
    def lines_table(self, application):
        lines = ApplicationLine.objects.filter(application=application).select_related("product__chip")
        rows = []
        controlled = selectors.controlled_product_ids(application)
        for line in lines:
            tpp = line.product.tpp
            eccn = line.product.eccn if line.product.is_controlled else "not controlled (for information only)"
            if line.product_id in controlled and not line.product.is_controlled:
                eccn = f"{line.product.eccn}, brought into scope by a licence-review programme"
            rows.append(
                (
                    str(line.product),
                    eccn,
                    f"{line.quantity:,}",
                    f"{tpp:,}",
                    f"{tpp * line.quantity:,}",
                    display.h100e_text(tpp * line.quantity),
                    f"{line.unit_price_usd:,}",
                )
            )
        headers = ["Product", "ECCN", "Quantity", "TPP per unit", "TPP", "H100e", "Unit price (USD)"]
        return display.table(headers, rows, "No lines.")

    @admin.display(description="Outcome")
    def outcome_display(self, application):
        result = application.determination
        if not result:
            return "Not determined yet (determined on submission)."
        outcome = words(result["outcome"], "outcome")
        presumption = f", {words(result['presumption'], 'presumption').lower()}" if result.get("presumption") else ""
        requested = tpp_and_h100e(result.get("requested_tpp") or 0)
        regime = words(result.get("regime"), "policy_kind")
        return f"{outcome}{presumption} — {regime} regime; requested {requested}"

    @admin.display(description="Reasons")
    def reasons_display(self, application):
        reasons = (application.determination or {}).get("reasons") or []
        return display.bullet_list(f"{reason['text']} [{words(reason['rule'], 'rule')}]" for reason in reasons)

    @admin.display(description="Licence conditions an approval would carry")
    def conditions_display(self, application):
        return display.bullet_list((application.determination or {}).get("conditions") or [])

    @admin.display(description="Allotment")
    def allotment_display(self, application):
        allotment = (application.determination or {}).get("allotment")
        if not allotment:
            return "None applies (no allotment drawn)."
        return f"#{allotment['id']}: {tpp_and_h100e(allotment['remaining_tpp'])} remaining before this request"

    @admin.display(description="90-day clock")
    def review_clock_detail(self, application):
        clock = display.review_clock(application, timezone.now())
        if application.due_at is None or application.status in FINAL_APPLICATION_STATUSES:
            return clock.html()
        if clock.paused:
            left = display.days(display.days_left_when_resumed(application))
            return format_html("{}: {} left once the exporter answers", clock.html(), left)
        return format_html("{} (due {})", clock.html(), _when(application.due_at))

    @admin.display(description="Agencies' 30-day clocks")
    def referral_clocks_detail(self, application):
        now = timezone.now()
        rows = [
            (display.agency_label(seen.referral.agency), display.referral_state(seen, now).html())
            for seen in _referrals_seen(application)
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", rows) if rows else "Not referred."  # noqa: S308

    @admin.display(description="Questions to the exporter")
    def info_requests_table(self, application):
        requests = InfoRequest.objects.filter(application=application).select_related("asked_by", "answered_by")
        rows = [
            (
                f"{_when(request.asked_at)}, {_user(request.asked_by)}",
                request.question,
                _info_request_answer(request),
                _when(request.answered_at),
            )
            for request in requests
        ]
        return display.table(["Asked", "Question", "Answer", "Answered"], rows, "None.")

    @admin.display(description="Referrals")
    def referrals_table(self, application):
        now = timezone.now()
        rows = []
        for seen in _referrals_seen(application):
            referral, state = seen.referral, display.referral_state(seen, now).html()
            if not seen.detail:
                rows.append((referral.agency.name, "—", "—", state, "—", "—", "—"))
                continue
            rows.append(
                (
                    referral.agency.name,
                    f"{_when(referral.referred_at)}, {_user(referral.referred_by)}",
                    _when(referral.due_at),
                    state,
                    referral.rationale or "—",
                    "; ".join(referral.conditions or []) or "—",
                    f"{_when(referral.answered_at)}, {_user(referral.answered_by)}" if referral.answered_at else "—",
                )
            )
        headers = ["Agency", "Referred", "Due", "State", "Rationale", "Conditions asked", "Answered"]
        return display.table(headers, rows, "Not referred.")

    @admin.display(description="Case officer")
    def officer_name(self, application):
        return _user(application.officer)

    @admin.display(description="Recommended by")
    def recommended_by_name(self, application):
        return _user(application.recommended_by)

    @admin.display(description="Officer's proposal")
    def recommendation_proposal(self, application):
        if not application.recommendation:
            return "—"
        return proposal_text(application, application.recommended_quantities, application.recommended_conditions)

    @admin.display(description="Every recommendation made")
    def recommendation_history(self, application):
        entries = RecommendationEntry.objects.filter(application=application).select_related("agency", "author")
        rows = [
            (
                _when(entry.created_at),
                entry.agency.name if entry.agency_id else "Officer",
                _user(entry.author),
                entry.get_recommendation_display(),
                entry.rationale or "—",
                proposal_text(application, entry.proposed_quantities, entry.conditions)
                if entry.proposed_quantities or entry.conditions
                else "—",
            )
            for entry in entries
        ]
        headers = ["When", "By", "Who", "Recommends", "Rationale", "Proposes"]
        return display.table(headers, rows, "None yet.")

    @admin.display(description="Decided")
    def decided_display(self, application):
        if not application.decided_at:
            return "Not decided yet."
        return (
            f"{application.get_status_display()} on {_when(application.decided_at)} by {_user(application.decided_by)}"
        )

    @admin.display(description="Licence")
    def licence_display(self, application):
        licence = getattr(application, "licence", None) if application.status == ApplicationStatus.APPROVED else None
        return licence.number if licence else "—"
