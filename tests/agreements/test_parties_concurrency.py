"""Two exporters entering one party at the same moment end with one register entry (SPEC § 2, § 6).

Real threads on their own PostgreSQL connections, released together. The canary creates without matching
first under the constraint: the collisions it meets show the race is real here, so the service's single row
means something."""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agreements import party_services
from agreements.models import Party
from agreements.party_matching import PartyRef, normalise_name
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises writers"),
]

THREADS = 12
SPELLINGS = ("Pune Research Institute", "PUNE RESEARCH INSTITUTE PVT. LTD.", "Pune Research Institute Private Limited")


def race(call) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[number] = call(number)
        except Exception as error:  # collected and asserted on
            results[number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_concurrent_creations_of_one_party_under_several_spellings_give_one_entry():
    exporters = [make_user("exporter", organisation=f"Exporter {n}") for n in range(THREADS)]

    def create(number: int) -> int:
        actor = get_user_model().objects.get(pk=exporters[number].pk)
        ref = PartyRef(name=SPELLINGS[number % len(SPELLINGS)], country="IN")
        party, _ = party_services.party_create(actor=actor, ref=ref)
        return party.pk

    results = race(create)

    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == 1
    assert Party.objects.filter(normalised_name="puneresearchinstitute", country="IN").count() == 1


def test_canary_creating_without_the_match_collides():
    def naive(number: int) -> str:
        with transaction.atomic():
            Party.objects.create(
                name=SPELLINGS[number % len(SPELLINGS)],
                normalised_name=normalise_name(SPELLINGS[0]),
                country_id="IN",
                hq_country_id="IN",
                created_at=timezone.now(),
            )
        return "ok"

    outcomes = Counter(type(result).__name__ if isinstance(result, Exception) else result for result in race(naive))

    assert outcomes == {"ok": 1, IntegrityError.__name__: THREADS - 1}, outcomes
