"""Fields shared by every API that takes a country (agreements, determinations, applications, notifications)."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Country
from agreements.units import h100e


class CountryCodeField(serializers.SlugRelatedField):
    """An ISO 3166-1 alpha-2 code in any case, resolved to a Country, with a clear message when unknown: from the
    serializer context's `countries` (code → Country, read once by the caller) when it has them, else a query."""

    default_error_messages = {
        "does_not_exist": "Unknown country {value}: give an ISO 3166-1 alpha-2 code such as IN.",
        "invalid": "Give an ISO 3166-1 alpha-2 code such as IN.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data.strip()) != 2:
            self.fail("invalid")
        code = data.strip().upper()
        countries: Mapping[str, Country] | None = self.context.get("countries")
        if countries is None:
            return super().to_internal_value(code)
        if code not in countries:
            self.fail("does_not_exist", slug_name=self.slug_field, value=code)
        return countries[code]


MAX_TPP = 10**15  # far above any real capacity; keeps integers inside a BIGINT


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d+\.\d{2}$", "example": "3.00"})
class H100eField(serializers.ReadOnlyField):
    """A TPP integer shown as H100-equivalents, to two decimals (derived, never stored)."""

    def to_representation(self, tpp: int) -> str:
        return str(h100e(tpp))


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a read-only `status`, a typo) instead of
    silently ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - {"csrfmiddlewaretoken"})
            if unknown:
                raise serializers.ValidationError({name: ["Not a field that can be set here."] for name in unknown})
        return super().to_internal_value(data)
