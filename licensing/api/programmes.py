"""Licence-review programmes (read by every role, written by policy administrators through the services) and
the US-sales reports exporters attest (SPEC § 5.1 v2)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from licensing.api.fields import resolve_products
from licensing.choices import LevyBasis, ProgrammePresumption
from licensing.models import Product, Programme, ProgrammeVersion, UsSalesReport
from licensing.services import programmes as services
from portal.api.permissions import ActionPermissions, CanView, HasPermission

COUNT = {"min_value": 1, "max_value": 2**31 - 1, "required": False, "allow_null": True}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


class CertificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.SlugField(max_length=40)
    text = serializers.CharField(max_length=4000)


class ProgrammeVersionSerializer(serializers.Serializer):
    """A version as read and as written (a write gives `effective_from` and the figures; ids are read only)."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(read_only=True, allow_null=True)
    destinations = serializers.ListField(child=serializers.CharField(max_length=4), max_length=60)
    min_tpp = serializers.IntegerField(**COUNT)
    max_tpp = serializers.IntegerField(**COUNT)
    max_dram_bandwidth_gbps = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )
    min_dram_bandwidth_gbps = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )
    named_products = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Product.objects.filter(is_active=True), required=False, help_text="Catalogue ids."
    )
    brings_into_scope = serializers.BooleanField(required=False, default=False)
    exports_from_us_only = serializers.BooleanField(required=False, default=False)
    presumption = serializers.ChoiceField(choices=ProgrammePresumption.choices)
    certifications = CertificationSerializer(many=True, required=False, default=list, max_length=20)
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list, max_length=50
    )
    shipment_evidence = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    us_volume_ratio_percent = serializers.DecimalField(**PERCENT, required=False, allow_null=True)
    us_volume_window_quarters = serializers.IntegerField(min_value=1, max_value=40, required=False, default=4)
    levy_percent = serializers.DecimalField(**PERCENT, required=False, allow_null=True)
    levy_basis = serializers.ChoiceField(choices=LevyBasis.choices, required=False, allow_blank=True, default="")
    per_customer_cap_units = serializers.IntegerField(**COUNT)
    notes = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")


class ProgrammeSerializer(serializers.ModelSerializer):
    versions = ProgrammeVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "citation", "source", "versions"]


class ProgrammeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    citation = serializers.CharField(max_length=200)
    source = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    version = ProgrammeVersionSerializer()


class ProgrammePatchSerializer(serializers.Serializer):
    """Any of name, citation, source; `version` adds a new version from its effective date."""

    name = serializers.CharField(max_length=200, required=False)
    citation = serializers.CharField(max_length=200, required=False)
    source = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    version = ProgrammeVersionSerializer(required=False)


class ProgrammeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Licence-review programmes with every version (SPEC § 2 Programme)."""

    serializer_class = ProgrammeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [ActionPermissions]
    action_permissions = {
        **dict.fromkeys(("create", "partial_update"), HasPermission(services.MANAGE)),
        "*": CanView(Programme),
    }

    def get_queryset(self):
        versions = ProgrammeVersion.objects.prefetch_related("named_products", "certifications").order_by("version")
        return Programme.objects.restrict(self.request.user, "view").prefetch_related(
            Prefetch("versions", queryset=versions)
        )

    def _answer(self, programme, code=status.HTTP_200_OK):
        return Response(ProgrammeSerializer(self.get_queryset().get(pk=programme.pk)).data, status=code)

    @extend_schema(request=ProgrammeCreateSerializer, responses={201: ProgrammeSerializer})
    def create(self, request):
        serializer = ProgrammeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme = services.programme_create(actor=request.user, version=dict(data.pop("version")), **data)
        return self._answer(programme, status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammePatchSerializer, responses=ProgrammeSerializer)
    def partial_update(self, request, pk=None):
        programme = self.get_object()
        serializer = ProgrammePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        services.programme_amend(
            actor=request.user, programme=programme, details=data, version=dict(version) if version else None
        )
        return self._answer(programme)


class UsSalesReportSerializer(serializers.ModelSerializer):
    quarter = serializers.CharField(source="period")
    product_name = serializers.StringRelatedField(source="product")
    attested_by = serializers.CharField(source="attested_by.username")
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = UsSalesReport
        fields = ["id", "organisation", "product", "product_name", "quarter", "units", "attested_by", "attested_at"]


class UsSalesReportInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quarter = serializers.CharField(max_length=6, help_text="Calendar quarter, e.g. 2026Q3.")
    units = serializers.IntegerField(min_value=0, max_value=100_000_000)

    def validate_product(self, pk):
        return resolve_products([{"product": pk, "quantity": 1}])[0]["product"]


class UsSalesReportViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Units sold to US customers per product and quarter, attested by the exporter: the base of a programme's
    US-volume ratio. Exporters file and read their organisation's; staff read all."""

    serializer_class = UsSalesReportSerializer
    permission_classes = [ActionPermissions]
    action_permissions = {
        "create": HasPermission("licensing.file_us_sales_report"),
        "*": CanView(UsSalesReport),
    }

    def get_queryset(self):
        return (
            UsSalesReport.objects.restrict(self.request.user, "view")
            .select_related("product__chip", "attested_by", "organisation")
            .order_by("-year", "-quarter", "-id")
        )

    @extend_schema(request=UsSalesReportInputSerializer, responses={201: UsSalesReportSerializer})
    def create(self, request):
        serializer = UsSalesReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.us_sales_report_file(actor=request.user, **serializer.validated_data)
        return Response(UsSalesReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=201)
