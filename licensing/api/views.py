from rest_framework import mixins, viewsets

from licensing import selectors
from licensing.api.serializers import ProductSerializer


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The chip and system catalogue with TPP, ECCN and H100-equivalents."""

    serializer_class = ProductSerializer
    pagination_class = None  # a bounded catalogue

    def get_queryset(self):
        return selectors.catalogue()
