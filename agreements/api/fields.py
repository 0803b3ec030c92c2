"""Fields shared by every API that takes a country (agreements, determinations, applications, notifications)."""

from rest_framework import serializers

from agreements.models import Country


class CountryCodeField(serializers.SlugRelatedField):
    """An ISO 3166-1 alpha-2 code in any case, resolved to a Country, with a clear message when unknown."""

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
        return super().to_internal_value(data.strip().upper())
