"""An audit event in words: what happened, and its details as short sentences with names, not ids.

The audit trail keeps its payload as recorded (ids, codes, ISO instants); this is how every record's "Audit
history" reads it: products, countries and users by name, statuses and outcomes through licensing.vocabulary,
moments in the portal's one format, TPP with its H100e, terms changes as "from … to …"."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from agreements.models import Country
from agreements.units import h100e
from licensing.models import Product
from licensing.vocabulary import words
from portal import display
from portal.models import AuditEvent

# The status vocabulary of each audited record type (for "from" and status fields).
STATUS_KIND = {
    "licensing.application": "application_status",
    "licensing.licence": "licence_status",
    "agreements.agreement": "agreement_status",
    "agreements.policy": "policy_status",
}
# Payload fields whose values are choices, by vocabulary kind.
VALUE_KIND = {
    "outcome": "outcome",
    "presumption": "presumption",
    "recommendation": "recommendation",
    "end_use_category": "end_use",
    "kind": "policy_kind",
    "reporting_cadence": "reporting",
    "agency": "agency",
    "agencies": "agency",
    "role": "role",
    "roles": "role",
    "source": "allotment_source",
}
LABELS = {
    "acn": "ACN",
    "from": "Previous status",
    "to": "Sent to",
    "destination": "Destination",
    "country": "Country",
    "end_use_category": "End-use category",
    "items": "Items",
    "requested_tpp": "Requested",
    "reserved_tpp": "Reserved",
    "released_tpp": "Released",
    "capacity_tpp": "Capacity",
    "lpp_threshold_tpp": "LPP threshold",
    "due_at": "Due",
    "shipped_on": "Shipped on",
    "proposed_by": "Proposed by",
    "proposed_from": "Proposed from",
    "effective_from": "Effective from",
    "effective_at": "Took effect",
    "recorded_at": "Recorded",
    "approved_at": "Approved",
    "terms_version": "Terms version",
    "application": "Application",
    "licence": "Licence",
    "agencies": "Agencies",
    "lapsed": "Lapsed referrals",
    "proposed_items": "Proposed quantities",
    "removed_items": "Removed items",
    "into": "Merged into party",
    "via": "Via",
}
# Long snapshots that a sentence only names (their differences are shown from "before"/"after").
SNAPSHOTS = {"terms", "before", "after"}
HIDDEN = {"recovery_codes", "info_request"}  # the question itself is recorded beside its id
# Payload fields holding product lines (a list of {"product", "quantity"} or {"<product id>": quantity}).
ITEM_KEYS = ("items", "proposed_items", "removed_items")


@dataclass
class Names:
    """Ids the payloads mention, resolved once for a page of events."""

    products: dict[int, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)

    @classmethod
    def for_events(cls, events: Iterable[AuditEvent]) -> "Names":
        product_ids: set[int] = set()
        country_codes: set[str] = set()
        user_ids: set[int] = set()
        for event in events:
            payload = event.payload if isinstance(event.payload, dict) else {}
            for key in ITEM_KEYS:
                product_ids |= set(_item_counts(payload.get(key)))
            for key in ("destination", "country"):
                if isinstance(payload.get(key), str):
                    country_codes.add(payload[key])
            if isinstance(payload.get("proposed_by"), int):
                user_ids.add(payload["proposed_by"])
        return cls(
            products={p.pk: str(p) for p in Product.objects.filter(pk__in=product_ids)},
            countries=dict(Country.objects.filter(pk__in=country_codes).values_list("code", "name")),
            users=dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username")),
        )


def what(event: AuditEvent) -> str:
    """What happened, in words: "Application: review started"."""
    return display.verb(event.verb)


def details(event: AuditEvent, names: Names | None = None) -> list[str]:
    """The payload as sentences, in the order it was recorded."""
    names = names or Names.for_events([event])
    payload: Mapping[str, Any] = event.payload if isinstance(event.payload, dict) else {}
    sentences = []
    for key, value in payload.items():
        if key in HIDDEN or key in SNAPSHOTS or value in (None, "", [], {}):
            continue
        sentences.append(f"{LABELS.get(key, _label(key))}: {_value(key, value, event, names)}.")
    sentences.extend(_snapshot_sentences(payload))
    return sentences


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _value(key: str, value: Any, event: AuditEvent, names: Names) -> str:
    if key in ITEM_KEYS:
        counts = _item_counts(value)
        return ", ".join(f"{qty:,} × {names.products.get(pid, f'product {pid}')}" for pid, qty in counts.items())
    if key in ("destination", "country") and isinstance(value, str):
        return f"{names.countries.get(value, value)} ({value})"
    if key == "proposed_by" and isinstance(value, int):
        return names.users.get(value, "a removed user")
    if key == "from" or key == "status":
        return words(value, STATUS_KIND[event.target_type]) if event.target_type in STATUS_KIND else str(value)
    if key == "changed" and isinstance(value, list):
        return _join(_label(str(v)) for v in value)
    if key in VALUE_KIND:
        return _join(words(v, VALUE_KIND[key]) for v in (value if isinstance(value, list) else [value]))
    return plain(key, value)


def plain(key: str, value: Any) -> str:
    """Any other recorded value: TPP with its H100e, instants in the one format, lists joined, yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and key.endswith("_tpp"):
        return f"{value:,} TPP ({h100e(value).normalize():,f} H100e)"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return _join(plain(key, v) for v in value)
    if isinstance(value, dict):
        return _join(f"{_label(k)} {plain(k, v)}" for k, v in value.items())
    moment = display.parse_iso(value)
    if moment is not None:
        return display.when(moment) if hasattr(moment, "hour") else display.day(moment)
    return str(value)


def _snapshot_sentences(payload: Mapping[str, Any]) -> list[str]:
    before, after = payload.get("before"), payload.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        changes = [
            f"{_label(k)} from {plain(k, before.get(k)) or 'nothing'} to {plain(k, after.get(k)) or 'nothing'}"
            for k in after
            if k not in ("version", "effective_from") and before.get(k) != after.get(k)
        ]
        version = f"Terms version {after['version']}" if "version" in after else "Changes"
        return [f"{version}: {'; '.join(changes) if changes else 'no change to the terms'}."]
    if isinstance(payload.get("terms"), dict) and "version" in payload["terms"]:
        terms = payload["terms"]
        return [f"Terms version {terms['version']}, effective {plain('effective_from', terms.get('effective_from'))}."]
    if isinstance(before, int) and isinstance(payload.get("capacity_tpp"), int):
        if before == payload["capacity_tpp"]:
            return ["No change to the capacity."]
        return [f"Capacity before: {plain('capacity_tpp', before)}."]
    if before not in (None, "", {}) and not isinstance(before, dict):
        return [f"Before: {plain('before', before)}."]
    return []


def _item_counts(items: Any) -> dict[int, int]:
    """Items as recorded: a list of {"product", "quantity"} or a shipment's {"<product id>": quantity}."""
    if isinstance(items, list):
        return {
            int(i["product"]): int(i.get("quantity", 0))
            for i in items
            if isinstance(i, dict) and str(i.get("product", "")).isdigit()
        }
    if isinstance(items, dict):
        return {int(k): int(v) for k, v in items.items() if str(k).isdigit() and isinstance(v, int)}
    return {}


def _join(parts: Iterable[str]) -> str:
    return ", ".join(p for p in parts if p)
