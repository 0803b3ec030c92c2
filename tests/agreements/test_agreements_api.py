"""The agreements API (SPEC § 5.1): create, change, move and amend, bad input, the role matrix, query counts."""

import copy
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import services
from agreements.choices import AgreementStatus as S
from agreements.models import Agreement, AgreementStatusChange, Allotment, Country, TermsPeriod, TermsVersion
from agreements.units import H100_TPP
from portal.choices import Role
from portal.models import AuditEvent
from tests.agreements.factories import make_agreement, period, this_year

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]
READERS = {Role.LICENSING_OFFICER, Role.APPROVING_OFFICIAL, Role.POLICY_ADMIN, Role.NEGOTIATOR}
URL = "/api/v1/agreements/"

# SPEC § 5.3, verbatim but for the security condition's text.
SPEC_BODY = {
    "country": "IN",
    "title": "US–India AI compute arrangement",
    "reference": "G2G-IN-2026",
    "valid_from": "2026-01-01",
    "valid_until": "2028-12-31",
    "terms": {
        "allotments": [{"period_start": "2026-01-01", "period_end": "2026-12-31", "capacity_tpp": 1583200000}],
        "lpp_threshold_tpp": None,
        "government_assurances": True,
        "site_visits_accepted": False,
        "reciprocal_investment_usd": "0",
        "revenue_share_percent": None,
        "permitted_end_uses": [],
        "excluded_end_users": [],
        "security_conditions": ["Quarterly compute-usage reports to BIS"],
        "reporting_cadence": "quarterly",
        "notes": "",
    },
}


@pytest.fixture
def negotiator_api(client_for):
    return client_for(Role.NEGOTIATOR)


def mentions(response, field_or_message: str) -> bool:
    """The 400 names the field, or (for a rule across fields) says what is wrong."""
    body = response.json()
    return field_or_message in body or field_or_message in str(body)


def detail(agreement, suffix=""):
    return f"{URL}{agreement.pk}/{suffix}"


def footprint() -> tuple[int, ...]:
    """Everything a refused request must leave as it was."""
    return (
        Agreement.objects.count(),
        TermsVersion.objects.count(),
        TermsPeriod.objects.count(),
        AgreementStatusChange.objects.count(),
        Allotment.objects.count(),
        AuditEvent.objects.count(),
    )


def body_with(path: str, value):
    """SPEC_BODY with one value replaced (path like "terms.allotments.0.capacity_tpp"); DELETE removes it."""
    body = copy.deepcopy(SPEC_BODY)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


DELETE = object()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are made with a password; hashing it a million times per test buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Create


def test_a_negotiator_creates_an_agreement_like_the_spec_example(negotiator_api):
    response = negotiator_api.post(URL, SPEC_BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["country"], body["reference"]) == ("draft", "IN", "G2G-IN-2026")
    assert (body["lead_negotiator"], body["in_force_now"], body["signed_on"]) == (
        negotiator_api.user.username,
        False,
        None,
    )
    terms = body["terms"]
    assert (terms["version"], terms["effective_from"], terms["government_assurances"]) == (1, "2026-01-01", True)
    assert terms["allotments"] == [
        {
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "capacity_tpp": 1_583_200_000,
            "capacity_h100e": "100000.00",
            "party_caps": [],
        }
    ]
    assert terms["investment_milestones"] == []
    assert terms["security_conditions"] == ["Quarterly compute-usage reports to BIS"]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in body["status_history"]] == [
        ("", "draft", negotiator_api.user.username)
    ]
    assert negotiator_api.get(detail(Agreement.objects.get())).json() == body
    assert AuditEvent.objects.get(verb="agreement.created").actor == negotiator_api.user


def test_the_country_code_may_be_given_in_any_case(negotiator_api):
    response = negotiator_api.post(URL, body_with("country", "in"), format="json")
    assert response.status_code == 201
    assert response.json()["country"] == "IN"


def test_terms_left_out_take_their_defaults(negotiator_api):
    response = negotiator_api.post(URL, body_with("terms", DELETE), format="json")
    assert response.status_code == 201
    terms = response.json()["terms"]
    assert (terms["allotments"], terms["government_assurances"], terms["reporting_cadence"]) == ([], False, "")


BAD_CREATES = [
    ("unknown-country", body_with("country", "XX"), "country"),
    ("numeric-country", body_with("country", 42), "country"),
    ("zero-capacity", body_with("terms.allotments.0.capacity_tpp", 0), "terms"),
    ("negative-capacity", body_with("terms.allotments.0.capacity_tpp", -1_583_200_000), "terms"),
    ("fractional-capacity", body_with("terms.allotments.0.capacity_tpp", 1.5), "terms"),
    ("text-capacity", body_with("terms.allotments.0.capacity_tpp", "lots"), "terms"),
    ("huge-capacity", body_with("terms.allotments.0.capacity_tpp", 10**30), "terms"),
    (
        "overlapping-periods",
        body_with(
            "terms.allotments",
            [
                {"period_start": "2026-01-01", "period_end": "2026-12-31", "capacity_tpp": 10},
                {"period_start": "2026-12-01", "period_end": "2027-12-31", "capacity_tpp": 10},
            ],
        ),
        "allotments",
    ),
    (
        "period-ends-before-start",
        body_with("terms.allotments.0", {"period_start": "2026-12-31", "period_end": "2026-01-01", "capacity_tpp": 1}),
        "allotments",
    ),
    ("period-without-end", body_with("terms.allotments.0.period_end", DELETE), "terms"),
    ("ends-before-start", body_with("valid_until", "2025-12-31"), "cannot end before it starts"),
    ("impossible-date", body_with("valid_from", "2026-13-01"), "valid_from"),
    ("missing-title", body_with("title", DELETE), "title"),
    ("blank-reference", body_with("reference", "   "), "reference"),
    ("long-reference", body_with("reference", "R" * 41), "reference"),
    ("unknown-end-use", body_with("terms.permitted_end_uses", ["weapons"]), "permitted_end_uses"),
    ("unknown-cadence", body_with("terms.reporting_cadence", "hourly"), "terms"),
    ("revenue-share-over-100", body_with("terms.revenue_share_percent", "150"), "terms"),
    ("negative-investment", body_with("terms.reciprocal_investment_usd", "-1"), "terms"),
    ("negative-lpp", body_with("terms.lpp_threshold_tpp", -1), "terms"),
    ("read-only-status", body_with("status", "in_force"), "status"),
    ("unknown-terms-field", body_with("terms.capacity", 5), "terms"),
    ("unknown-lead-negotiator", body_with("lead_negotiator", "nobody"), "lead_negotiator"),
    ("terms-not-an-object", body_with("terms", ["x"]), "terms"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_CREATES], ids=[c[0] for c in BAD_CREATES])
def test_bad_input_to_create_is_400_naming_the_field_and_writes_nothing(negotiator_api, body, field):
    before = footprint()
    response = negotiator_api.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert mentions(response, field)
    assert footprint() == before


def test_an_unknown_country_is_named_in_the_message(negotiator_api):
    response = negotiator_api.post(URL, body_with("country", "XX"), format="json")
    assert "Unknown country XX" in response.json()["country"][0]


def test_a_reference_is_unique(negotiator_api):
    assert negotiator_api.post(URL, SPEC_BODY, format="json").status_code == 201
    before = footprint()
    response = negotiator_api.post(URL, body_with("country", "AE"), format="json")
    assert response.status_code == 400
    assert "reference" in response.json()
    assert footprint() == before


@pytest.mark.parametrize("raw", ['{"country": "IN",', "[1, 2", "not json", ""], ids=["cut", "list", "text", "empty"])
def test_malformed_json_is_400_and_writes_nothing(negotiator_api, raw):
    before = footprint()
    response = negotiator_api.generic("POST", URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert footprint() == before


def test_a_json_list_instead_of_an_object_is_400(negotiator_api):
    response = negotiator_api.post(URL, [SPEC_BODY], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


# Change while negotiating


def test_a_patch_changes_fields_and_terms_and_keeps_what_it_does_not_name(negotiator_api):
    agreement = make_agreement(S.NEGOTIATING)
    start, end = this_year()
    response = negotiator_api.patch(
        detail(agreement),
        {
            "title": "Revised arrangement",
            "terms": {
                "site_visits_accepted": True,
                "allotments": [{"period_start": start, "period_end": end, "capacity_tpp": 5 * H100_TPP}],
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["status"], body["terms"]["version"]) == ("Revised arrangement", "negotiating", 1)
    assert (body["terms"]["site_visits_accepted"], body["terms"]["government_assurances"]) == (True, True)
    assert [(a["capacity_tpp"], a["capacity_h100e"]) for a in body["terms"]["allotments"]] == [(5 * H100_TPP, "5.00")]
    event = AuditEvent.objects.get(verb="agreement.changed")
    assert (event.actor, event.payload["changed"]) == (negotiator_api.user, ["title"])


def test_a_patch_may_hand_the_agreement_to_another_negotiator(negotiator_api, client_for):
    colleague = client_for(Role.NEGOTIATOR).user
    agreement = make_agreement(S.DRAFT)
    response = negotiator_api.patch(detail(agreement), {"lead_negotiator": colleague.username}, format="json")
    assert response.json()["lead_negotiator"] == colleague.username
    officer = client_for(Role.LICENSING_OFFICER).user
    response = negotiator_api.patch(detail(agreement), {"lead_negotiator": officer.username}, format="json")
    assert response.status_code == 400  # only a negotiator leads a negotiation


@pytest.mark.parametrize("status", [S.SIGNED, S.IN_FORCE, S.SUSPENDED, S.TERMINATED, S.EXPIRED])
def test_a_patch_after_signature_is_409_and_writes_nothing(negotiator_api, status):
    agreement = make_agreement(status)
    before = footprint()
    response = negotiator_api.patch(detail(agreement), {"title": "Quietly changed"}, format="json")
    assert response.status_code == 409
    assert "amendment" in response.json()["detail"]
    assert response.json()["code"] == "terms_locked"
    assert footprint() == before
    assert Agreement.objects.get(pk=agreement.pk).title != "Quietly changed"


BAD_PATCHES = [
    (
        "overlapping-periods",
        {
            "title": "Half-applied?",
            "terms": {
                "allotments": [
                    {"period_start": "2026-01-01", "period_end": "2026-06-30", "capacity_tpp": 1},
                    {"period_start": "2026-06-30", "period_end": "2026-12-31", "capacity_tpp": 1},
                ]
            },
        },
        "allotments",
    ),
    (
        "zero-capacity",
        {"terms": {"allotments": [{"period_start": "2026-01-01", "period_end": "2026-02-01", "capacity_tpp": 0}]}},
        "terms",
    ),  # noqa: E501
    ("ends-before-start", {"title": "Half-applied?", "valid_until": "2000-01-01"}, "cannot end before it starts"),
    ("nothing", {}, "non_field_errors"),
    ("status", {"status": "in_force"}, "status"),
    ("country", {"country": "AE"}, "country"),
    ("blank-title", {"title": ""}, "title"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_PATCHES], ids=[c[0] for c in BAD_PATCHES])
def test_a_bad_patch_is_400_and_changes_nothing(negotiator_api, body, field):
    agreement = make_agreement(S.NEGOTIATING)
    before = (footprint(), negotiator_api.get(detail(agreement)).json())
    response = negotiator_api.patch(detail(agreement), body, format="json")
    assert response.status_code == 400, response.json()
    assert mentions(response, field)
    assert (footprint(), negotiator_api.get(detail(agreement)).json()) == before


def test_agreements_are_never_replaced_or_deleted(negotiator_api):
    agreement = make_agreement()
    assert negotiator_api.put(detail(agreement), SPEC_BODY, format="json").status_code == 405
    assert negotiator_api.delete(detail(agreement)).status_code == 405
    assert Agreement.objects.filter(pk=agreement.pk).exists()


# The lifecycle through the API


def test_a_negotiator_walks_an_agreement_through_its_lifecycle(negotiator_api):
    agreement = make_agreement(S.DRAFT)
    steps = [
        ("start-negotiation", {}, "negotiating", False),
        ("sign", {"signed_on": "2026-03-04"}, "signed", False),
        ("enter-into-force", {"reason": "Ratified"}, "in_force", True),
        ("suspend", {"reason": "Diversion under investigation"}, "suspended", False),
        ("resume", {"reason": "Investigation closed"}, "in_force", True),
        ("terminate", {"reason": "Partner withdrew"}, "terminated", False),
    ]
    for verb, body, status, in_force in steps:
        response = negotiator_api.post(detail(agreement, f"{verb}/"), body, format="json")
        assert response.status_code == 200, (verb, response.json())
        assert (response.json()["status"], response.json()["in_force_now"]) == (status, in_force), verb
    body = response.json()
    assert body["signed_on"] == "2026-03-04"
    assert [h["to_status"] for h in body["status_history"]] == [
        "draft",
        "negotiating",
        "signed",
        "in_force",
        "suspended",
        "in_force",
        "terminated",
    ]
    assert body["status_history"][4]["reason"] == "Diversion under investigation"
    assert {h["actor"] for h in body["status_history"][1:]} == {negotiator_api.user.username}


def test_entering_into_force_through_the_api_creates_the_allotments(negotiator_api):
    agreement = make_agreement(S.SIGNED)
    negotiator_api.post(detail(agreement, "enter-into-force/"), {}, format="json")
    rows = negotiator_api.get(f"/api/v1/allotments/?agreement={agreement.pk}").json()["results"]
    assert [(r["country"], r["source"], r["capacity_tpp"], r["remaining_h100e"]) for r in rows] == [
        ("IN", "agreement", 1_000 * H100_TPP, "1000.00")
    ]


WRONG_STATE = [
    (S.DRAFT, "sign"),
    (S.DRAFT, "enter-into-force"),
    (S.NEGOTIATING, "start-negotiation"),
    (S.NEGOTIATING, "suspend"),
    (S.SIGNED, "resume"),
    (S.SIGNED, "terminate"),
    (S.IN_FORCE, "resume"),
    (S.IN_FORCE, "enter-into-force"),
    (S.SUSPENDED, "suspend"),
    (S.TERMINATED, "resume"),
    (S.EXPIRED, "terminate"),
]


@pytest.mark.parametrize(("status", "verb"), WRONG_STATE, ids=[f"{v}-from-{s}" for s, v in WRONG_STATE])
def test_a_transition_from_the_wrong_state_is_409_and_writes_nothing(negotiator_api, status, verb):
    agreement = make_agreement(status)
    before = footprint()
    response = negotiator_api.post(detail(agreement, f"{verb}/"), {"reason": "Because"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert f"is {status}" in response.json()["detail"]
    assert footprint() == before
    assert Agreement.objects.get(pk=agreement.pk).status == status


@pytest.mark.parametrize(
    ("status", "verb"), [(S.IN_FORCE, "suspend"), (S.SUSPENDED, "resume"), (S.IN_FORCE, "terminate")]
)
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"])
def test_a_transition_that_needs_a_reason_is_400_without_one(negotiator_api, status, verb, body):
    agreement = make_agreement(status)
    before = footprint()
    response = negotiator_api.post(detail(agreement, f"{verb}/"), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert footprint() == before


def test_a_transition_with_a_malformed_body_is_400(negotiator_api):
    agreement = make_agreement(S.IN_FORCE)
    before = footprint()
    response = negotiator_api.generic(
        "POST", detail(agreement, "suspend/"), '{"reason": ', content_type="application/json"
    )
    assert response.status_code == 400
    response = negotiator_api.post(detail(agreement, "suspend/"), {"reason": "x", "status": "draft"}, format="json")
    assert response.status_code == 400
    assert footprint() == before


def test_an_unknown_agreement_is_404(negotiator_api):
    assert negotiator_api.get(f"{URL}999999/").status_code == 404
    assert negotiator_api.post(f"{URL}999999/sign/", {}, format="json").status_code == 404


# Amendments


def amendment(**overrides):
    start, end = this_year()
    return {
        "effective_from": timezone.localdate().isoformat(),
        "reason": "Capacity doubled after the annual review",
        "allotments": [{"period_start": start, "period_end": end, "capacity_tpp": 2_000 * H100_TPP}],
        **overrides,
    }


def test_an_amendment_is_a_new_version_and_moves_the_allotment_of_an_agreement_in_force(negotiator_api):
    agreement = make_agreement(S.IN_FORCE)
    response = negotiator_api.post(
        detail(agreement, "amendments/"), amendment(site_visits_accepted=True), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["reason"], body["created_by"]) == (
        2,
        "Capacity doubled after the annual review",
        negotiator_api.user.username,
    )
    assert (body["site_visits_accepted"], body["government_assurances"]) == (True, True)  # the latter carried over
    versions = negotiator_api.get(detail(agreement, "amendments/")).json()["results"]
    assert [(v["version"], v["allotments"][0]["capacity_tpp"]) for v in versions] == [
        (2, 2_000 * H100_TPP),
        (1, 1_000 * H100_TPP),
    ]
    assert negotiator_api.get(detail(agreement)).json()["terms"]["version"] == 2
    (allotment,) = negotiator_api.get(f"/api/v1/allotments/?agreement={agreement.pk}").json()["results"]
    assert allotment["capacity_tpp"] == 2_000 * H100_TPP


def test_an_amendment_without_a_schedule_carries_the_schedule_over(negotiator_api):
    agreement = make_agreement(S.SIGNED)
    body = amendment(notes="Clarified the reporting address")
    del body["allotments"]
    response = negotiator_api.post(detail(agreement, "amendments/"), body, format="json")
    assert response.status_code == 201
    assert [a["capacity_tpp"] for a in response.json()["allotments"]] == [1_000 * H100_TPP]
    assert response.json()["notes"] == "Clarified the reporting address"


@pytest.mark.parametrize("status", [S.DRAFT, S.NEGOTIATING, S.TERMINATED, S.EXPIRED])
def test_an_amendment_outside_signed_in_force_or_suspended_is_409_and_writes_nothing(negotiator_api, status):
    agreement = make_agreement(status)
    before = footprint()
    response = negotiator_api.post(detail(agreement, "amendments/"), amendment(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "terms_locked"
    assert footprint() == before


BAD_AMENDMENTS = [
    ("no-reason", {"reason": DELETE}, "reason"),
    ("blank-reason", {"reason": "  "}, "reason"),
    ("no-date", {"effective_from": DELETE}, "effective_from"),
    ("before-version-1", {"effective_from": "2000-01-01"}, "effective_from"),
    (
        "zero-capacity",
        {"allotments": [{"period_start": "2026-01-01", "period_end": "2026-02-01", "capacity_tpp": 0}]},
        "allotments",
    ),  # noqa: E501
    ("version", {"version": 7}, "version"),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in BAD_AMENDMENTS], ids=[c[0] for c in BAD_AMENDMENTS])
def test_a_bad_amendment_is_400_and_writes_nothing(negotiator_api, changes, field):
    agreement = make_agreement(S.IN_FORCE)
    body = amendment(**{k: v for k, v in changes.items() if v is not DELETE})
    for key in [k for k, v in changes.items() if v is DELETE]:
        del body[key]
    before = footprint()
    response = negotiator_api.post(detail(agreement, "amendments/"), body, format="json")
    assert response.status_code == 400, response.json()
    assert mentions(response, field)
    assert footprint() == before


# Who may do what


def _endpoint_cases():
    """(name, agreement status, method, path suffix, body, status for a negotiator)."""
    return [
        ("list", S.DRAFT, "get", None, None, 200),
        ("detail", S.DRAFT, "get", "", None, 200),
        ("amendments", S.SIGNED, "get", "amendments/", None, 200),
        ("create", None, "post", None, SPEC_BODY, 201),
        ("patch", S.DRAFT, "patch", "", {"title": "Changed"}, 200),
        ("start-negotiation", S.DRAFT, "post", "start-negotiation/", {}, 200),
        ("sign", S.NEGOTIATING, "post", "sign/", {}, 200),
        ("enter-into-force", S.SIGNED, "post", "enter-into-force/", {}, 200),
        ("suspend", S.IN_FORCE, "post", "suspend/", {"reason": "Review"}, 200),
        ("resume", S.SUSPENDED, "post", "resume/", {"reason": "Review closed"}, 200),
        ("terminate", S.IN_FORCE, "post", "terminate/", {"reason": "Ended"}, 200),
        ("amend", S.SIGNED, "post", "amendments/", "amendment", 201),
    ]


ENDPOINTS = _endpoint_cases()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "status", "method", "suffix", "body", "allowed"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_role_matrix(client_for, role, name, status, method, suffix, body, allowed):
    client = client_for(role)
    agreement = make_agreement(status) if status else None
    path = detail(agreement, suffix) if suffix is not None else URL
    body = amendment() if body == "amendment" else body
    writes = method != "get"
    before = footprint()
    response = getattr(client, method)(path, body, format="json") if writes else client.get(path)
    if role == Role.NEGOTIATOR or (role in READERS and not writes):
        assert response.status_code == allowed, response.json()
    else:
        assert response.status_code == 403
        assert footprint() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_are_401(api, method):
    assert getattr(api, method)(URL).status_code == 401


# A constant number of queries, whatever the page size


def queries_for(client, path) -> tuple[int, int]:
    client.get(path)  # warm the per-user role cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    rows = response.json()
    return len(captured), len(rows["results"] if isinstance(rows, dict) and "results" in rows else rows)


def test_the_agreement_list_runs_the_same_queries_for_2_and_30_rows(negotiator_api):
    for number in range(30):
        make_agreement([S.DRAFT, S.NEGOTIATING, S.SIGNED, S.IN_FORCE, S.SUSPENDED][number % 5])
    two = queries_for(negotiator_api, f"{URL}?page_size=2")
    thirty = queries_for(negotiator_api, f"{URL}?page_size=30")
    assert (two[1], thirty[1]) == (2, 30)
    assert two[0] == thirty[0]


def test_the_amendment_list_runs_the_same_queries_for_2_and_30_rows(negotiator_api):
    agreement = make_agreement(S.SIGNED)
    for number in range(29):
        services.amendment_create(
            actor=negotiator_api.user,
            agreement=agreement,
            effective_from=agreement.valid_from + datetime.timedelta(days=number),
            reason=f"Amendment {number}",
            terms={"notes": str(number)},
        )
    two = queries_for(negotiator_api, detail(agreement, "amendments/?page_size=2"))
    thirty = queries_for(negotiator_api, detail(agreement, "amendments/?page_size=30"))
    assert (two[1], thirty[1]) == (2, 30)
    assert two[0] == thirty[0]


def test_the_country_list_runs_the_same_queries_with_2_and_30_agreements(client_for):
    reader = client_for(Role.EXPORTER)
    codes = list(Country.objects.order_by("code").values_list("code", flat=True)[:30])
    for code in codes[:2]:
        make_agreement(S.IN_FORCE, country=code)
    with_two = queries_for(reader, "/api/v1/countries/")
    for code in codes[2:]:
        make_agreement(S.IN_FORCE, country=code)
    with_thirty = queries_for(reader, "/api/v1/countries/")
    assert with_two == with_thirty
    assert with_two[1] == 249


def test_a_country_detail_runs_the_same_queries_with_2_and_30_allotments(client_for):
    reader = client_for(Role.NEGOTIATOR)
    year = timezone.localdate().year

    def schedule(count):
        return [period(datetime.date(year + n, 1, 1), datetime.date(year + n, 12, 31), H100_TPP) for n in range(count)]

    make_agreement(S.IN_FORCE, country="AE", allotments=schedule(1))  # + the Tier 2 allocation: 2 rows
    make_agreement(S.IN_FORCE, country="SA", allotments=schedule(29))  # 30 rows
    counts = {}
    for code, rows in (("AE", 2), ("SA", 30)):
        reader.get(f"/api/v1/countries/{code}/")
        with CaptureQueriesContext(connection) as captured:
            body = reader.get(f"/api/v1/countries/{code}/").json()
        assert len(body["allotments"]) == rows
        counts[code] = len(captured)
    assert counts["AE"] == counts["SA"]


# Countries in detail


def test_a_country_shows_the_agreement_in_force_and_its_allotments(client_for):
    agreement = make_agreement(S.IN_FORCE)
    body = client_for(Role.LICENSING_OFFICER).get("/api/v1/countries/in/").json()
    assert body["agreement"] == {
        "id": agreement.pk,
        "reference": agreement.reference,
        "title": agreement.title,
        "status": "in_force",
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat(),
    }
    rows = {row["source"]: row for row in body["allotments"]}
    assert (rows["tier_allocation"]["capacity_tpp"], rows["tier_allocation"]["uplifted"]) == (1_580_000_000, True)
    assert (rows["agreement"]["agreement"], rows["agreement"]["remaining_tpp"]) == (agreement.pk, 1_000 * H100_TPP)
    assert {"committed_tpp", "pending_tpp"} <= set(rows["agreement"])


def test_a_country_without_an_agreement_in_force_shows_none(client_for):
    make_agreement(S.SUSPENDED)
    body = client_for(Role.EXPORTER).get("/api/v1/countries/IN/").json()
    assert body["agreement"] is None
    assert [
        (r["source"], r["capacity_tpp"], r["uplifted"]) for r in body["allotments"] if r["source"] != "agreement"
    ] == [("tier_allocation", 790_000_000, False)]


def test_exporters_see_what_remains_but_not_others_demand_or_draws(client_for):
    make_agreement(S.IN_FORCE)
    rows = client_for(Role.EXPORTER).get("/api/v1/countries/IN/").json()["allotments"]
    assert rows
    for row in rows:
        assert "remaining_tpp" in row
        assert "pending_tpp" not in row
        assert "committed_tpp" not in row


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_countries_and_only_staff_and_negotiators_see_demand(client_for, role):
    make_agreement(S.IN_FORCE)
    client = client_for(role)
    assert client.get("/api/v1/countries/").status_code == 200
    response = client.get("/api/v1/countries/IN/")
    assert response.status_code == 200
    assert response.json()["agreement"] is not None
    sees_demand = {"pending_tpp", "committed_tpp"} <= set(response.json()["allotments"][0])
    assert sees_demand is (role in READERS)


def test_a_transition_body_may_carry_when_it_took_effect(client_for):
    negotiator = client_for("negotiator")
    agreement = make_agreement(S.DRAFT, valid_from=(timezone.now() - datetime.timedelta(days=90)).date())
    for step, days in ((services.agreement_start_negotiation, 20), (services.agreement_sign, 10)):
        step(actor=None, agreement=agreement, effective_at=timezone.now() - datetime.timedelta(days=days))
    instant = (timezone.now() - datetime.timedelta(days=5)).replace(microsecond=0)
    body = {"reason": "Ratified", "effective_at": instant.isoformat().replace("+00:00", "Z")}
    response = negotiator.post(f"/api/v1/agreements/{agreement.pk}/enter-into-force/", body, format="json")
    assert response.status_code == 200, response.json()
    last = response.json()["status_history"][-1]
    assert (last["to_status"], last["at"]) == ("in_force", body["effective_at"])
    assert last["recorded_at"] > last["at"]


@pytest.mark.parametrize("value", ["", None, "soon", "2999-01-01T00:00:00Z"])
def test_a_bad_effective_at_is_400_with_its_field_and_writes_nothing(client_for, value):
    negotiator = client_for("negotiator")
    agreement = make_agreement(S.SIGNED)
    changes = agreement.status_changes.count()
    body = {"effective_at": value}
    response = negotiator.post(f"/api/v1/agreements/{agreement.pk}/enter-into-force/", body, format="json")
    assert response.status_code == 400 and "effective_at" in response.json()
    agreement.refresh_from_db()
    assert agreement.status == S.SIGNED and agreement.status_changes.count() == changes
