import copy
from collections.abc import Mapping

from rest_framework import serializers

from agreements.api.fields import CountryCodeField
from licensing.models import Product

__all__ = ["CountryCodeField", "FieldsBuiltOnce", "ItemSerializer", "MAX_QUANTITY", "resolve_products"]

MAX_QUANTITY = 10_000_000  # units per line; beyond it is a typing error, not an export
MAX_ID = 2**63 - 1  # the largest id a database row can have; larger ones overflowed the query


class ItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Catalogue id from /api/v1/products/.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


def resolve_products(items: list[dict], *, catalogue: Mapping[int, Product] | None = None) -> list[dict]:
    """Replace product ids by catalogue entries in one query (none when the caller passes the active `catalogue`
    it holds, licensing.reference_facts: only for reading, never for writing lines); unknown ids are a 400
    naming them."""
    ids = {item["product"] for item in items}
    if catalogue is None:
        found = Product.objects.filter(is_active=True).select_related("chip").in_bulk(ids)
    else:
        found = {pk: catalogue[pk] for pk in ids if pk in catalogue}
    unknown = sorted(ids - set(found))
    if unknown:
        raise serializers.ValidationError(
            f"Unknown product(s) {', '.join(map(str, unknown))}: use ids from /api/v1/products/."
        )
    return [{**item, "product": found[item["product"]]} for item in items]


class FieldsBuiltOnce:
    """For a ModelSerializer: its fields are built from the model once per class, then copied for each instance
    (as DRF copies declared fields), instead of being introspected again for every serializer made — a tenth of a
    list page's time under cProfile (`build_standard_field` for every model field, every request). Only for
    serializers whose fields depend on their Meta alone, never on the request."""

    def get_fields(self):  # type: ignore[no-untyped-def]
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            setattr(cls, "_fields_built_once", built)  # noqa: B010  (on this very class, not a parent)
        return copy.deepcopy(built)
