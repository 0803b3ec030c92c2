"""One application from draft to an exhausted licence through the API, with a user per role."""

import pytest
from django.utils import timezone

from agreements.models import Allotment, LedgerEntry
from portal.models import AuditEvent
from tests.licensing.factories import application_body, product

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def test_draft_to_exhausted_licence_and_back_on_revocation(client_for):
    exporter = client_for("exporter", organisation="Acme AI Systems Inc.")
    officer = client_for("licensing_officer")
    approver = client_for("approving_official")
    defense = client_for("agency_reviewer", agency="defense")
    h100 = product().pk

    app = ok(exporter.post("/api/v1/applications/", application_body(quantity=5000), format="json"), 201)
    assert (app["status"], app["acn"]) == ("draft", None)
    app = ok(exporter.post(f"/api/v1/applications/{app['id']}/submit/", {"declaration": True}))
    assert app["status"] == "submitted"
    assert len(app["acn"]) == 7 and app["acn"][0].isalpha() and app["acn"][1:].isdigit()
    assert app["determination"]["outcome"] == "licence_required"
    allotment = Allotment.objects.get(pk=app["determination"]["allotment"]["id"])
    assert allotment.country_id == "IN" and allotment.committed_tpp == 0
    url = f"/api/v1/applications/{app['id']}"

    assert ok(officer.post(f"{url}/start-review/"))["status"] == "under_review"
    assert (
        ok(officer.post(f"{url}/request-info/", {"question": "Who operates the site?"}))["status"] == "info_requested"
    )
    assert ok(exporter.post(f"{url}/respond/", {"answer": "Gulf Compute LLC itself."}))["status"] == "under_review"
    assert ok(officer.post(f"{url}/refer/", {"agencies": ["defense"]}, format="json"))["status"] == "referred"
    answered = ok(
        defense.post(f"{url}/agency-recommendation/", {"recommendation": "approve", "rationale": "No concern"})
    )
    assert answered["status"] == "under_review"  # the last open referral was answered
    ok(officer.post(f"{url}/recommend/", {"recommendation": "approve", "rationale": "End user verified."}))

    decided = ok(
        approver.post(
            f"{url}/approve/",
            {"items": [{"product": h100, "quantity": 4000}], "conditions": ["No re-export"], "justification": ""},
            format="json",
        )
    )
    assert decided["status"] == "approved"
    number = decided["licence"]["number"]
    allotment.refresh_from_db()
    assert allotment.committed_tpp == 4000 * 15_832  # exactly the approved amount

    licence = ok(exporter.get(f"/api/v1/licences/{number}/"))
    assert "No re-export" in licence["conditions"]
    assert licence["lines"][0]["approved_quantity"] == 4000
    today = timezone.localdate().isoformat()
    shipped = ok(
        exporter.post(
            f"/api/v1/licences/{number}/shipments/",
            {"shipped_on": today, "items": [{"product": h100, "quantity": 3000}]},
            format="json",
        ),
        201,
    )
    assert (shipped["status"], shipped["lines"][0]["remaining_quantity"]) == ("active", 1000)
    over = exporter.post(
        f"/api/v1/licences/{number}/shipments/",
        {"shipped_on": today, "items": [{"product": h100, "quantity": 1001}]},
        format="json",
    )
    assert over.status_code == 409
    done = ok(
        exporter.post(
            f"/api/v1/licences/{number}/shipments/",
            {"shipped_on": today, "items": [{"product": h100, "quantity": 1000}]},
            format="json",
        ),
        201,
    )
    assert done["status"] == "exhausted"
    assert AuditEvent.objects.filter(target_type="licensing.application", target_id=str(app["id"])).count() >= 9


def test_revocation_gives_back_the_unshipped_quota(client_for):
    exporter = client_for("exporter")
    officer, approver = client_for("licensing_officer"), client_for("approving_official")
    h100 = product().pk
    app = ok(exporter.post("/api/v1/applications/", application_body(quantity=5000), format="json"), 201)
    url = f"/api/v1/applications/{app['id']}"
    ok(exporter.post(f"{url}/submit/", {"declaration": True}))
    ok(officer.post(f"{url}/start-review/"))
    ok(officer.post(f"{url}/recommend/", {"recommendation": "approve", "rationale": "Fine."}))
    number = ok(approver.post(f"{url}/approve/", {}, format="json"))["licence"]["number"]
    allotment_id = ok(exporter.get(f"{url}/"))["determination"]["allotment"]["id"]
    assert Allotment.objects.get(pk=allotment_id).committed_tpp == 5000 * 15_832

    today = timezone.localdate().isoformat()
    ok(
        exporter.post(
            f"/api/v1/licences/{number}/shipments/",
            {"shipped_on": today, "items": [{"product": h100, "quantity": 1200}]},
            format="json",
        ),
        201,
    )
    assert approver.post(f"/api/v1/licences/{number}/revoke/", {}).status_code == 400  # a reason is required
    revoked = ok(approver.post(f"/api/v1/licences/{number}/revoke/", {"reason": "Diversion risk"}))
    assert revoked["status"] == "revoked"
    assert Allotment.objects.get(pk=allotment_id).committed_tpp == 1200 * 15_832
    release = LedgerEntry.objects.get(reference=number, kind="release")
    assert release.tpp == 3800 * 15_832
    refused = exporter.post(
        f"/api/v1/licences/{number}/shipments/",
        {"shipped_on": today, "items": [{"product": h100, "quantity": 1}]},
        format="json",
    )
    assert refused.status_code == 409
