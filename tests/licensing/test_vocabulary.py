"""One vocabulary: statuses, outcomes, rules and audit details in words, and one date format, wherever shown."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, timezone

from licensing import audit_text
from licensing.choices import Outcome
from licensing.vocabulary import KINDS, RULES, words
from portal import display
from portal.models import AuditEvent
from tests.licensing.factories import licence, submitted

ENGINE = Path(__file__).resolve().parents[2] / "licensing" / "determination.py"


def test_every_rule_the_engine_cites_has_a_name_in_words():
    cited = set(re.findall(r'"((?:common|tiered|global|baseline|programme|terms)\.[a-z0-9_]+)"', ENGINE.read_text()))
    cited |= {f"{kind}.lpp" for kind in ("tiered", "global")}  # built as f"{policy.kind}.lpp"
    cited |= {f"{regime}.{rule}" for regime in ("global", "baseline") for rule in ("party_cap", "party_cap_exhausted")}
    cited |= {f"programme.{presumption}" for presumption in ("case_by_case", "denial")}  # f"programme.{…}"
    assert cited <= set(RULES), sorted(cited - set(RULES))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_choice_has_a_label_that_is_not_its_raw_value(kind):
    for member in KINDS[kind]:
        assert words(member.value, kind) == member.label
        assert "_" not in str(member.label)


def test_outcomes_read_as_words_and_unknown_values_do_not_break_a_page():
    assert words("lpp_eligible", "outcome") == "Eligible for licence exception LPP"
    assert words("licence_required", "outcome") == "Licence required"
    assert words(Outcome.PROHIBITED, "outcome") == "Prohibited"
    assert words("something_new", "outcome") == "something_new"
    assert words(None, "outcome") == "—"


def test_one_date_and_time_format_names_the_time_zone():
    moment = datetime.datetime(2026, 12, 1, 6, 47, tzinfo=datetime.UTC)
    assert display.when(moment) == "1 Dec 2026, 06:47 UTC"
    assert display.day(datetime.date(2026, 12, 1)) == "1 Dec 2026"


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_moments_and_days_read_as_djangos_own_date_format_writes_them(zone):
    """`display` splits the format once; what it writes is what `formats.date_format` writes, in every month,
    across a change of summer time, at every hour, in the time zone in force."""
    start = datetime.datetime(2026, 1, 1, 0, 7, tzinfo=datetime.UTC)
    with timezone.override(zone):
        for step in range(0, 24 * 400, 13):  # every 13 hours for 400 days: each month, hour and both clock changes
            moment = start + datetime.timedelta(hours=step, minutes=step % 60)
            local = timezone.localtime(moment)
            assert display.when(moment) == formats.date_format(local, "DATETIME_FORMAT")
            assert display.day(moment) == formats.date_format(local.date(), "DATE_FORMAT")
            assert display.day(local.date()) == formats.date_format(local.date(), "DATE_FORMAT")


@pytest.mark.django_db
def test_an_audit_event_reads_as_sentences_with_names_not_ids():
    application = submitted(quantity=1800)
    event = AuditEvent.objects.get(verb="application.created", target_id=str(application.pk))
    sentences = " ".join(audit_text.details(event))
    assert "Destination: India (IN)." in sentences
    assert "1,800 × " in sentences and "H100 SXM" in sentences
    assert "End-use category: Commercial data centre." in sentences
    assert "'product'" not in sentences and "{" not in sentences
    assert audit_text.what(event) == "Application: created"
    submit = AuditEvent.objects.get(verb="application.submitted", target_id=str(application.pk))
    assert "Outcome: Licence required." in " ".join(audit_text.details(submit))


@pytest.mark.django_db
def test_a_shipment_and_a_revocation_read_as_sentences():
    issued = licence(quantity=3000)
    event = AuditEvent.objects.filter(verb="licence.issued", target_id=str(issued.pk)).get()
    assert "Reserved: 47,496,000 TPP (3,000 H100e)." in audit_text.details(event)
