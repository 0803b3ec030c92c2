"""Reads of the case side."""

from django.db.models import QuerySet

from licensing.models import Product


def catalogue() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).select_related("chip").order_by("vendor", "name")
