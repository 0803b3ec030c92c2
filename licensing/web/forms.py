"""Exporter forms. They only shape input; the services decide."""

from django import forms

from agreements.choices import EndUseCategory
from agreements.models import Country
from licensing.api.fields import MAX_QUANTITY
from licensing.models import Product


class CountryField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "Choose a country")
        super().__init__(queryset=Country.objects.order_by("name"), to_field_name="code", **kwargs)

    def label_from_instance(self, country):
        return f"{country.name} ({country.code})"


class ProductField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "Choose a product")
        super().__init__(queryset=Product.objects.filter(is_active=True).select_related("chip"), **kwargs)

    def label_from_instance(self, product):
        return f"{product} — {product.eccn}, {product.h100e} H100e"


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label="Name (optional)", max_length=120, required=False, help_text="Your own name for this application."
    )
    destination = CountryField(label="Destination country")
    export_from = CountryField(
        label="Exported from",
        initial="US",
        required=False,
        empty_label="United States (US)",
        help_text="Where the items leave from. A programme may cover exports from the United States only.",
    )
    end_use_category = forms.ChoiceField(label="End-use category", choices=EndUseCategory.choices)
    end_use = forms.CharField(label="Specific end use", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    consignee_name = forms.CharField(label="Ultimate consignee: name", max_length=200)
    consignee_address = forms.CharField(label="Ultimate consignee: address", max_length=1000)
    consignee_country = CountryField(label="Ultimate consignee: country")
    purchaser_name = forms.CharField(label="Purchaser: name (if not the consignee)", max_length=200, required=False)
    purchaser_address = forms.CharField(label="Purchaser: address", max_length=1000, required=False)
    purchaser_country = CountryField(label="Purchaser: country", required=False)

    def clean(self):
        data = super().clean()
        if data.get("purchaser_name") and not data.get("purchaser_country"):
            self.add_error("purchaser_country", "Give the purchaser's country.")
        return data

    def parties(self, end_users: list[dict]) -> dict:
        data = self.cleaned_data
        purchaser = None
        if data.get("purchaser_name"):
            purchaser = {
                "name": data["purchaser_name"],
                "address": data.get("purchaser_address", ""),
                "country": data["purchaser_country"],
            }
        return {
            "ultimate_consignee": {
                "name": data["consignee_name"],
                "address": data["consignee_address"],
                "country": data["consignee_country"],
            },
            "end_users": end_users,
            "purchaser": purchaser,
            "intermediate_consignees": [],
        }


class EndUserForm(forms.Form):
    name = forms.CharField(label="End user: name", max_length=200)
    address = forms.CharField(label="End user: address", max_length=1000, required=False)
    country = CountryField(label="End user: country")
    hq_country = CountryField(label="End user: headquarters country")


class LineForm(forms.Form):
    product = ProductField(label="Product")
    quantity = forms.IntegerField(label="Quantity (units)", min_value=1, max_value=MAX_QUANTITY)
    unit_price_usd = forms.DecimalField(
        label="Unit price (USD)", min_value=0, max_digits=14, decimal_places=2, required=False
    )


EndUserFormSet = forms.formset_factory(EndUserForm, extra=1, max_num=20, validate_max=True)
LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1, validate_min=True, max_num=50, validate_max=True)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    # The question the page showed: answering one the officer has since withdrawn is refused, saying so.
    info_request = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ShipmentForm(forms.Form):
    """The date and, for each licensed line, how many units left in this shipment."""

    shipped_on = forms.DateField(label="Shipped on", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    evidence_reference = forms.CharField(
        label="Evidence reference",
        max_length=200,
        required=False,
        help_text="The reference of the evidence the licence's programme asks of each shipment (e.g. the test report).",
    )
    invoice_value_usd = forms.DecimalField(
        label="Invoice value (USD)",
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="What the licence's revenue share or duty is reckoned on.",
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"quantity_{line.product_id}"] = forms.IntegerField(
                label=f"{line.product}: units shipped (up to {line.remaining_quantity:,})",
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
            )

    def quantity_fields(self):
        return [self[f"quantity_{line.product_id}"] for line in self.lines]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"quantity_{line.product_id}") for line in self.lines):
            raise forms.ValidationError("Enter the units shipped for at least one line.")
        return data

    def items(self) -> list[dict]:
        return [
            {"product": line.product, "quantity": self.cleaned_data[f"quantity_{line.product_id}"]}
            for line in self.lines
            if self.cleaned_data.get(f"quantity_{line.product_id}")
        ]


class NotificationForm(forms.Form):
    destination = CountryField(label="Destination country")
    consignee = forms.CharField(label="Ultimate consignee", max_length=200)
    end_user_hq = CountryField(label="End user's headquarters country")
    product = ProductField(label="Product")
    quantity = forms.IntegerField(label="Quantity (units)", min_value=1, max_value=MAX_QUANTITY)


class UsSalesReportForm(forms.Form):
    product = ProductField(label="Product")
    quarter = forms.RegexField(
        label="Calendar quarter", regex=r"^\d{4}Q[1-4]$", max_length=6, help_text="For example 2026Q3."
    )
    units = forms.IntegerField(label="Units sold to US customers", min_value=0, max_value=100_000_000)


class ObligationSubmitForm(forms.Form):
    """A report or evidence against an obligation; for a revenue share, the payment made."""

    text = forms.CharField(label="Report", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000, required=False)
    reference = forms.CharField(label="Reference", max_length=200, required=False)
    amount_paid_usd = forms.DecimalField(
        label="Amount paid (USD)", max_digits=16, decimal_places=2, min_value=0, required=False
    )
