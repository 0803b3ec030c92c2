from rest_framework import serializers

from agreements.api.fields import CountryCodeField
from licensing.models import Product

__all__ = ["CountryCodeField", "ItemSerializer", "MAX_QUANTITY", "resolve_products"]

MAX_QUANTITY = 10_000_000  # units per line; beyond it is a typing error, not an export
MAX_ID = 2**63 - 1  # the largest id a database row can have; larger ones overflowed the query


class ItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Catalogue id from /api/v1/products/.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


def resolve_products(items: list[dict]) -> list[dict]:
    """Replace product ids by catalogue entries in one query; unknown ids are a 400 naming them."""
    ids = {item["product"] for item in items}
    found = Product.objects.filter(is_active=True).select_related("chip").in_bulk(ids)
    unknown = sorted(ids - set(found))
    if unknown:
        raise serializers.ValidationError(
            f"Unknown product(s) {', '.join(map(str, unknown))}: use ids from /api/v1/products/."
        )
    return [{**item, "product": found[item["product"]]} for item in items]
