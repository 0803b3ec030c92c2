from rest_framework import serializers

from agreements.models import Country
from licensing.models import Product

MAX_QUANTITY = 10_000_000  # units per line; beyond it is a typing error, not an export


class CountryCodeField(serializers.SlugRelatedField):
    """An ISO alpha-2 code in any case, answered with a clear message when unknown."""

    default_error_messages = {
        "does_not_exist": "Unknown country code {value}: use an ISO 3166-1 alpha-2 code such as IN.",
        "invalid": "A country is its ISO 3166-1 alpha-2 code, e.g. IN.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data.strip()) != 2:
            self.fail("invalid")
        return super().to_internal_value(data.strip().upper())


class ItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, help_text="Catalogue id from /api/v1/products/.")
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
