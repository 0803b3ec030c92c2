from rest_framework import serializers

from licensing.models import Product


class ProductSerializer(serializers.ModelSerializer):
    tpp = serializers.IntegerField(read_only=True)
    performance_density = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    eccn = serializers.CharField(read_only=True)
    h100e = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    chip = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "vendor",
            "name",
            "tpp",
            "die_area_mm2",
            "performance_density",
            "eccn",
            "h100e",
            "chip",
            "chips_per_system",
        ]
