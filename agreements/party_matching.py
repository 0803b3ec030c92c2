"""How a party's name is matched in the register (SPEC § 2 "Party"): pure, no ORM.

Case, spacing, punctuation, accents and trailing legal-form suffixes are ignored, so "Pune Research Institute",
"PUNE RESEARCH INSTITUTE PVT. LTD." and "Pune Research Institute Private Limited" are one key. Matching is always
per location country: the key is (normalised name, country).
"""

import re
import unicodedata
from dataclasses import dataclass, field

# SPEC § 2: legal-form suffixes ignored when matching parties. Each entry is already in normalised form
# (lower case, punctuation dropped): "L.L.C." -> "llc", "S.A." -> "sa"; "FZ-LLC" is the two tokens "fz" "llc".
# Matching logic, not a regulatory fact: extend it here when a respelling slips through.
LEGAL_FORM_SUFFIXES: frozenset[str] = frozenset(
    {
        "ltd",
        "limited",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "pvt",
        "private",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "bv",
        "nv",
        "kk",
        "pjsc",
        "jsc",
        "fz",
        "fzllc",
        "fze",
        "fzco",
        "llp",
        "lp",
        "pte",
        "pty",
        "sdn",
        "bhd",
        "srl",
        "sarl",
        "spa",
        "wll",
    }
)

# Full stops are dropped inside a token ("L.L.C." -> "llc"); every other punctuation mark separates tokens
# ("Co.,Ltd." -> "co ltd", "Small-Co" -> "small co", "FZ-LLC" -> "fz llc").
_JOINING = re.compile(r"[.]")
_SEPARATING = re.compile(r"[^\w\s]|_")


def name_tokens(name: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", name or "").casefold()
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATING.sub(" ", _JOINING.sub("", plain)).split()


def normalise_name(name: str) -> str:
    """The matching key of a name: trailing legal-form tokens stripped repeatedly (never the last token left)."""
    tokens = name_tokens(name)
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORM_SUFFIXES:
        tokens.pop()
    return "".join(tokens)


@dataclass(frozen=True)
class PartyRef:
    """A party as a filing or a question names it: a register id, or details to match (and, filing, to create).

    `country` and `hq_country` are ISO alpha-2 codes; a missing `country` means the filing's destination, a missing
    `hq_country` the location country (SPEC § 2)."""

    id: int | None = None
    name: str = ""
    country: str | None = None
    hq_country: str | None = None
    address: str = ""
    ultimate_parent: int | None = None
    registration_number: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def coerce(cls, value: "PartyRef | int | str | dict | None") -> "PartyRef | None":
        """From an id, a bare name, or a dict of details (country objects or codes)."""
        if value is None or isinstance(value, PartyRef):
            return value
        if isinstance(value, bool):
            raise TypeError("A party is an id, a name or details.")
        if isinstance(value, int):
            return cls(id=value)
        if isinstance(value, str):
            return cls(name=value.strip())
        details = dict(value)
        if details.get("id") is not None:
            return cls(id=int(details["id"]), address=(details.get("address") or "").strip())
        return cls(
            name=(details.get("name") or "").strip(),
            country=_code(details.get("country")),
            hq_country=_code(details.get("hq_country")),
            address=(details.get("address") or "").strip(),
            ultimate_parent=_id(details.get("ultimate_parent")),
            registration_number=(details.get("registration_number") or None),
            aliases=tuple(details.get("aliases") or ()),
        )

    def located(self, default_country: str) -> "PartyRef":
        """With the location country filled in (a bare name is located in the destination)."""
        if self.id is not None or self.country:
            return self
        return PartyRef(**{**self.__dict__, "country": default_country})

    @property
    def key(self) -> str:
        return normalise_name(self.name)

    @property
    def headquarters(self) -> str | None:
        return self.hq_country or self.country


def _code(value) -> str | None:
    if value is None or value == "":
        return None
    return getattr(value, "code", None) or getattr(value, "pk", None) or str(value).strip().upper()


def _id(value) -> int | None:
    if value is None or value == "":
        return None
    return getattr(value, "pk", None) or int(value)
