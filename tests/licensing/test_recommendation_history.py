"""The recommendation history: every officer and agency recommendation, as made, in a table of its own.
Four eyes reads it (never the audit trail); the migration that introduced it copied the recommendations of old."""

import importlib

import pytest
from django.apps import apps

from licensing import selectors, services
from licensing.choices import ApplicationStatus, RecommendationKind
from licensing.errors import FourEyes
from licensing.models import RecommendationEntry
from portal.models import AuditEvent
from portal.services import audit_record
from tests.factories import make_user
from tests.licensing import factories as f

pytestmark = pytest.mark.django_db


def history(application) -> list[tuple]:
    return list(
        RecommendationEntry.objects.filter(application=application).values_list(
            "kind", "agency__code", "author_id", "recommendation", "rationale"
        )
    )


def test_each_officer_recommendation_is_kept_also_once_replaced():
    first, second = make_user("licensing_officer"), make_user("licensing_officer")
    application = f.recommended(officer=first, recommendation="deny")
    services.application_recommend(actor=second, application=application, recommendation="approve", rationale="Ok")

    officer = RecommendationKind.OFFICER
    assert [row for row in history(application) if row[0] == officer] == [
        (officer, None, first.pk, "deny", "Checked the end user."),
        (officer, None, second.pk, "approve", "Ok"),
    ]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW  # a recommendation does not move the case
    assert application.recommended_by_id == second.pk  # the standing one, on the case
    assert AuditEvent.objects.filter(target_id=str(application.pk), verb="application.recommended").count() == 2


def test_each_agency_answer_is_kept_with_its_agency():
    application = f.referred(agencies=("defense",))
    defense = make_user("agency_reviewer", agency="defense")
    services.application_agency_recommend(
        actor=defense, application=application, recommendation="deny", rationale="Concern."
    )
    assert history(application) == [(RecommendationKind.AGENCY, "defense", defense.pk, "deny", "Concern.")]


def test_four_eyes_reads_the_history_not_the_audit_trail():
    """An audit event alone bars no one; a history entry bars its author even with no event to match it."""
    application = f.recommended()
    audited_only, in_history = make_user("approving_official"), make_user("approving_official")
    audit_record(
        actor=audited_only,
        verb="application.recommended",
        target=application,
        payload={"recommendation": "deny", "rationale": "Forged."},
    )
    RecommendationEntry.objects.create(
        application=application,
        kind=RecommendationKind.OFFICER,
        author=in_history,
        recommendation="approve",
        created_at=application.updated_at,
    )

    assert selectors.decision_blockers(application, audited_only) == []
    assert selectors.decision_blockers(application, in_history) == [
        "You made an officer recommendation on this case: another official must decide it."
    ]
    with pytest.raises(FourEyes):
        services.application_deny(actor=in_history, application=application, reason="No.")


def test_the_migration_copies_the_recommendations_of_old():
    """What 0006 found: the standing officer recommendation on the case, the replaced ones in the audit trail,
    and each agency's answer on its referral."""
    migration = importlib.import_module("licensing.migrations.0006_recommendation_history")
    first, second = make_user("licensing_officer"), make_user("licensing_officer")
    application = f.reviewed_after_referral(officer=first, agency="defense")
    services.application_recommend(actor=first, application=application, recommendation="deny", rationale="Hm.")
    services.application_recommend(actor=second, application=application, recommendation="approve", rationale="Ok")
    made = sorted(history(application), key=repr)
    RecommendationEntry.objects.all().delete()  # as before the history existed

    migration.copy_recommendations(apps, None)

    assert sorted(history(application), key=repr) == made
