"""The chip catalogue: policy administrators maintain it; every save goes through licensing.services."""

from django.contrib import admin

from licensing import services
from licensing.models import Product
from licensing.services.catalogue import PRODUCT_FIELDS
from portal.admin import AuditHistoryMixin


@admin.register(Product)
class ProductAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "tpp_display",
        "density_display",
        "bandwidth_display",
        "eccn_display",
        "h100e_display",
        "is_active",
    ]
    list_filter = ["kind", "vendor", "is_active"]
    search_fields = ["vendor", "name"]
    list_select_related = ["chip"]
    fields = list(PRODUCT_FIELDS)  # the fields the catalogue service writes, in its order

    @admin.display(description="TPP")
    def tpp_display(self, product):
        return f"{product.tpp:,}"

    @admin.display(description="Performance density")
    def density_display(self, product):
        density = product.performance_density  # truncated to three decimals, never rounded up
        return "—" if density is None else f"{density:.3f}"

    @admin.display(description="DRAM GB/s")
    def bandwidth_display(self, product):
        bandwidth = product.effective_dram_bandwidth_gbps
        return "—" if bandwidth is None else f"{bandwidth:,}"

    @admin.display(description="ECCN")
    def eccn_display(self, product):
        return product.eccn

    @admin.display(description="H100e")
    def h100e_display(self, product):
        return product.h100e

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        target = Product.objects.get(pk=obj.pk) if change else Product()
        saved = services.product_save(actor=request.user, product=target, **changes)
        obj.pk = saved.pk
