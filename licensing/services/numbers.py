"""Application Control Numbers and licence numbers from locked counters: unique, never reused."""

import string

from django.db import transaction

from licensing.models import NumberSequence

ACN_LETTERS = string.ascii_uppercase[::-1]  # Z000001 … Z999999, then Y000000 …


def _next(name: str) -> int:
    assert transaction.get_connection().in_atomic_block, "numbers are taken inside the caller's transaction"
    NumberSequence.objects.get_or_create(name=name)
    sequence = NumberSequence.objects.select_for_update().get(name=name)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


def next_acn() -> str:
    """One letter and six digits (BIS Application Control Number shape)."""
    value = _next("acn")
    letter, number = divmod(value, 1_000_000)
    return f"{ACN_LETTERS[letter]}{number:06d}"


def next_licence_number(year: int) -> str:
    """A licence number, shaped so it can never be mistaken for an ACN."""
    return f"G2G-{year}-{_next(f'licence-{year}'):06d}"
