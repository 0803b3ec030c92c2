"""Application Control Numbers and licence numbers: unique, never given twice.

ACNs come from a locked counter (one submission at a time takes the next). Licence numbers come, on
PostgreSQL, from a sequence, which never makes one approval wait for another (a rolled-back approval leaves a
gap, and no number is ever given twice); elsewhere from the same kind of locked counter.
"""

import string
from collections.abc import Iterator

from django.db import transaction

from licensing.models import NumberSequence

ACN_LETTERS = string.ascii_uppercase[::-1]  # Z000001 … Z999999, then Y000000 …
LICENCE_SEQUENCE = "licensing_licence_number_seq"


def _take(name: str, count: int) -> range:
    """`count` consecutive values of a named counter, under its row lock for the rest of the transaction."""
    assert transaction.get_connection().in_atomic_block, "numbers are taken inside the caller's transaction"
    NumberSequence.objects.get_or_create(name=name)
    sequence = NumberSequence.objects.select_for_update().get(name=name)
    first = sequence.value + 1
    sequence.value += count
    sequence.save(update_fields=["value"])
    return range(first, first + count)


def acn(value: int) -> str:
    letter, number = divmod(value, 1_000_000)
    return f"{ACN_LETTERS[letter]}{number:06d}"


def next_acn() -> str:
    """One letter and six digits (BIS Application Control Number shape)."""
    return acn(_take("acn", 1)[0])


def _licence_serials(count: int) -> list[int]:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [LICENCE_SEQUENCE, count])
            return [row[0] for row in cursor.fetchall()]
    return list(_take("licence", count))


def licence_number(year: int, serial: int) -> str:
    """A licence number, shaped so it can never be mistaken for an ACN."""
    return f"G2G-{year}-{serial:06d}"


def next_licence_number(year: int) -> str:
    return licence_number(year, _licence_serials(1)[0])


def reserve_licence_serials(count: int) -> Iterator[int]:
    """A block of licence serials for bulk loading (seed_bulk), taken the same way as one at a time."""
    with transaction.atomic():
        return iter(_licence_serials(count))
