"""Serializers of the case side. Exporters and staff get separate ones: exporter serializers never
carry internal fields (officer recommendation and rationale, agency referrals, other organisations)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.parties import PartyField
from agreements.choices import EndUseCategory
from agreements.units import h100e
from licensing import selectors
from licensing.api.fields import MAX_QUANTITY, CountryCodeField, FieldsBuiltOnce, ItemSerializer, resolve_products
from licensing.api.obligations import LicenceObligationSerializer
from licensing.choices import PartyRole
from licensing.models import Application, Licence, LicenceLine, LppNotification, Product
from licensing.obligation_selectors import shipment_status

# Catalogue


class ProductSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    tpp = serializers.IntegerField(read_only=True)
    # Truncated to three decimals by the model, never rounded up across the 5.92 threshold.
    performance_density = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True, allow_null=True)
    dram_bandwidth_gbps = serializers.IntegerField(source="effective_dram_bandwidth_gbps", read_only=True)
    eccn = serializers.CharField(read_only=True)
    h100e = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    chip = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="A system's chip; null for a chip."
    )

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
            "dram_bandwidth_gbps",
            "eccn",
            "h100e",
            "chip",
            "chips_per_system",
            "source",
        ]


# Writing an application


class PartiesInputSerializer(serializers.Serializer):
    """Each party a register id or inline details ({name, address, country, hq_country}): matched in the register
    by normalised name and location country, or entered in it (SPEC § 2)."""

    ultimate_consignee = PartyField(require_country=True)
    end_users = serializers.ListField(
        child=PartyField(require_country=True), required=False, default=list, max_length=50
    )
    purchaser = PartyField(require_country=True, required=False, allow_null=True, default=None)
    intermediate_consignees = serializers.ListField(
        child=PartyField(require_country=True), required=False, default=list, max_length=20
    )


class LineInputSerializer(ItemSerializer):
    unit_price_usd = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, default=0)


class ApplicationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="The exporter's own name for the application (optional; their lists search by it).",
    )
    destination = CountryCodeField()
    export_from = CountryCodeField(required=False, help_text="Where the items leave from (default US).")
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices)
    end_use = serializers.CharField(max_length=4000)
    parties = PartiesInputSerializer()
    items = LineInputSerializer(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        return resolve_products(items)


class ApplicationPatchSerializer(ApplicationWriteSerializer):
    """A change to a draft: any of the fields. `parties` and `items`, when given, replace the old ones whole, so
    each is complete (DRF's `partial=True` would reach into them and let half a line or a party through)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            field.default = serializers.empty  # a field left out stays as it is (not reset to its default)
        return fields


# Reading an application


def _party(party) -> dict:
    """A party as listed: a plain dict, not a serializer per party (that was half of a list page's cost)."""
    return {
        "role": party.role,
        "party": party.party_id,
        "name": party.name,
        "address": party.address,
        "country": party.country_id,
        "hq_country": party.hq_country_id,
    }


class LineSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    product_name = serializers.StringRelatedField(source="product")
    eccn = serializers.CharField(source="product.eccn")
    quantity = serializers.IntegerField()
    unit_price_usd = serializers.DecimalField(max_digits=14, decimal_places=2)
    tpp = serializers.SerializerMethodField()

    def get_tpp(self, line) -> int:
        """0 for a line that stays on the application for information only (SPEC § 3)."""
        controlled = line.product_id in selectors.controlled_product_ids(line.application)
        return line.quantity * line.product.tpp if controlled else 0


class InfoRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    asked_at = serializers.DateTimeField()
    amended_at = serializers.DateTimeField(allow_null=True, help_text="When the officer last reworded it.")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True, help_text="Withdrawn: no answer is needed.")
    withdrawal_reason = serializers.CharField()


class LicenceRefSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    valid_until = serializers.DateField()


def _shape(parent: serializers.Serializer, serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """One instance of `serializer_class` for every row `parent` represents: a serializer made per row (and per
    nested record) deep-copies its fields each time, which was most of a reviewer's list page. Its
    `to_representation` gives what a fresh one's `.data` would."""
    shapes = parent.__dict__.setdefault("_shapes", {})
    if serializer_class not in shapes:
        shapes[serializer_class] = serializer_class(context=parent.context)
    return shapes[serializer_class]


def _parties(application: Application) -> dict:
    parties = list(application.parties.all())
    by_role = {role: [_party(p) for p in parties if p.role == role] for role in PartyRole.values}
    return {
        "ultimate_consignee": (by_role[PartyRole.ULTIMATE_CONSIGNEE] or [None])[0],
        "end_users": by_role[PartyRole.END_USER],
        "purchaser": (by_role[PartyRole.PURCHASER] or [None])[0],
        "intermediate_consignees": by_role[PartyRole.INTERMEDIATE_CONSIGNEE],
    }


class ProgrammeVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="programme_id")
    name = serializers.CharField(source="programme.name")
    citation = serializers.CharField(source="programme.citation")
    version = serializers.IntegerField()


class AffirmationSerializer(serializers.Serializer):
    certification = serializers.IntegerField(source="certification_id")
    code = serializers.CharField(source="certification.code")
    text = serializers.CharField(source="certification.text")
    affirmed_by = serializers.CharField(source="affirmed_by.username")
    affirmed_at = serializers.DateTimeField()


class ExporterApplicationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    destination = serializers.CharField(source="destination_id")
    export_from = serializers.CharField(source="export_from_id")
    parties = serializers.SerializerMethodField()
    items = LineSerializer(source="lines", many=True)
    info_requests = InfoRequestSerializer(many=True)
    licence = serializers.SerializerMethodField()
    programme = ProgrammeVersionRefSerializer(
        source="programme_version", allow_null=True, help_text="The programme that applied at submission."
    )
    affirmations = AffirmationSerializer(many=True, help_text="The certifications affirmed at submission.")

    class Meta:
        model = Application
        fields = [
            "id",
            "name",
            "acn",
            "status",
            "destination",
            "export_from",
            "end_use_category",
            "end_use",
            "parties",
            "items",
            "determination",
            "programme",
            "affirmations",
            "submitted_at",
            "decision_reason",
            "info_requests",
            "licence",
            "created_at",
            "updated_at",
        ]

    def get_parties(self, application) -> dict:
        return _parties(application)

    def get_licence(self, application) -> dict | None:
        licence = getattr(application, "licence", None)
        return _shape(self, LicenceRefSerializer).to_representation(licence) if licence else None


class ReferralSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.code")
    referred_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    recommendation = serializers.CharField()
    rationale = serializers.CharField()
    conditions = serializers.ListField(
        child=serializers.CharField(), help_text="With approve_with_conditions: what the agency asks for."
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    answered = serializers.SerializerMethodField()

    def get_answered(self, referral) -> bool:
        return selectors.referral_answered(referral)


class ProposedLineSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = serializers.IntegerField()


class StaffApplicationSerializer(ExporterApplicationSerializer):
    organisation = serializers.CharField(source="organisation.name")
    officer = serializers.CharField(source="officer.username", allow_null=True, default=None)
    recommended_by = serializers.CharField(source="recommended_by.username", allow_null=True, default=None)
    referrals = ReferralSerializer(many=True)
    requested_h100e = serializers.SerializerMethodField()

    class Meta(ExporterApplicationSerializer.Meta):
        fields = [
            *ExporterApplicationSerializer.Meta.fields,
            "organisation",
            "requested_tpp",
            "requested_h100e",
            "allotment",
            "due_at",
            "paused_at",
            "officer",
            "recommendation",
            "recommended_by",
            "recommendation_rationale",
            "recommended_items",
            "recommended_conditions",
            "referrals",
            "decided_at",
        ]

    recommended_items = serializers.SerializerMethodField(
        help_text="The officer's proposed quantity per line; empty: as requested (or no recommendation yet)."
    )
    recommended_conditions = serializers.ListField(child=serializers.CharField())

    def get_requested_h100e(self, application) -> str:
        return str(h100e(application.requested_tpp))

    @extend_schema_field(ProposedLineSerializer(many=True))
    def get_recommended_items(self, application) -> list[dict]:
        return [{"product": int(pid), "quantity": qty} for pid, qty in application.recommended_quantities.items()]


class ReviewerReferralSerializer(serializers.Serializer):
    """A referral as an agency reviewer sees it (`selectors.referrals_as_seen`): every one names its agency and
    whether it answered; the other fields only where the reviewer may see them (its own agency's referral; the
    other agencies' once its own has answered)."""

    agency = serializers.CharField()
    answered = serializers.BooleanField()
    referred_at = serializers.DateTimeField(required=False)
    due_at = serializers.DateTimeField(required=False)
    recommendation = serializers.CharField(required=False)
    rationale = serializers.CharField(required=False)
    conditions = serializers.ListField(child=serializers.CharField(), required=False)
    answered_at = serializers.DateTimeField(required=False, allow_null=True)

    def to_representation(self, seen):
        shown = {"agency": seen.referral.agency.code, "answered": seen.answered}
        if seen.detail:
            shown |= _shape(self, ReferralSerializer).to_representation(seen.referral)
        return shown


class ReviewerApplicationSerializer(ExporterApplicationSerializer):
    """An agency reviewer's case: the facts a review needs and the referrals as `selectors.referrals_as_seen`
    decides (SPEC § 1). Never the officer, the officer's recommendation or rationale, or the 90-day clock."""

    organisation = serializers.CharField(source="organisation.name")
    referrals = serializers.SerializerMethodField()
    requested_h100e = serializers.SerializerMethodField()

    class Meta(ExporterApplicationSerializer.Meta):
        fields = [
            *ExporterApplicationSerializer.Meta.fields,
            "organisation",
            "requested_tpp",
            "requested_h100e",
            "referrals",
            "decided_at",
        ]

    @extend_schema_field(ReviewerReferralSerializer(many=True))
    def get_referrals(self, application) -> list[dict]:
        seen = selectors.referrals_as_seen(application, self.context["request"].user)
        shape = _shape(self, ReviewerReferralSerializer)
        return [shape.to_representation(referral) for referral in seen]

    def get_requested_h100e(self, application) -> str:
        return str(h100e(application.requested_tpp))


# Action bodies


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the exporter declares the application true and complete (required to submit).",
    )
    certifications = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of the programme's certifications the exporter affirms (the determination lists them).",
    )


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)
    info_request = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="The id of the request answered (from info_requests); a withdrawn or answered one → 409.",
    )


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=8000)


class InfoRequestWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="Why the question is withdrawn; told to the exporter.")


class ReferSerializer(serializers.Serializer):
    agencies = serializers.ListField(child=serializers.CharField(max_length=20), allow_empty=False, max_length=3)


class ProposalItemSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="A product on the application.")
    quantity = serializers.IntegerField(
        max_value=MAX_QUANTITY, help_text="Proposed units: at least 0, at most the quantity requested on the line."
    )


class RecommendSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=["approve", "deny"])
    rationale = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    items = ProposalItemSerializer(
        many=True,
        required=False,
        max_length=100,
        help_text="With approve: the quantity proposed per line (lines left out: as requested).",
    )
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        max_length=50,
        help_text="With approve: conditions proposed for the licence (offered to the approver).",
    )

    def validate_items(self, items):
        return resolve_products(items)


class AgencyRecommendSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=["approve", "approve_with_conditions", "deny"])
    rationale = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        max_length=50,
        help_text="Required with approve_with_conditions: the conditions the agency asks for.",
    )


class ApproveSerializer(serializers.Serializer):
    items = ItemSerializer(many=True, required=False, allow_empty=False, max_length=100)
    conditions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list, max_length=50
    )
    justification = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")

    def validate_items(self, items):
        return resolve_products(items)


# Licences and shipments


class LicenceLineSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    product_name = serializers.StringRelatedField(source="product")
    remaining_quantity = serializers.IntegerField()

    class Meta:
        model = LicenceLine
        fields = ["product", "product_name", "unit_tpp", "approved_quantity", "shipped_quantity", "remaining_quantity"]


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shipped_on = serializers.DateField()
    items = serializers.SerializerMethodField()
    evidence_reference = serializers.CharField()
    invoice_value_usd = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    status = serializers.SerializerMethodField(
        help_text="pending_evidence until the programme's evidence for it is accepted; recorded otherwise."
    )
    still_needs = serializers.SerializerMethodField(help_text="Evidence the licence's programme still awaits.")

    def get_status(self, shipment) -> str:
        return shipment_status(shipment)

    def get_still_needs(self, shipment) -> list[str]:
        return selectors.shipment_still_needs(shipment)

    def get_items(self, shipment) -> list[dict]:
        return [{"product": line.licence_line.product_id, "quantity": line.quantity} for line in shipment.lines.all()]


class LicenceSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    application = serializers.CharField(source="application.acn")
    destination = serializers.CharField(source="application.destination_id")
    organisation = serializers.CharField(source="organisation.name")
    lines = LicenceLineSerializer(many=True)
    shipments = ShipmentSerializer(many=True)
    programme = ProgrammeVersionRefSerializer(source="programme_version", allow_null=True)
    programme_obligations = serializers.ListField(
        source="obligations", child=serializers.DictField(), help_text="What the licence's programme imposes."
    )
    obligations = LicenceObligationSerializer(
        source="obligation_set", many=True, help_text="What the licence owes, tracked (SPEC § 2 Obligation)."
    )

    class Meta:
        model = Licence
        fields = [
            "number",
            "application",
            "destination",
            "organisation",
            "status",
            "status_reason",
            "conditions",
            "valid_from",
            "valid_until",
            "reserved_tpp",
            "issued_at",
            "programme",
            "programme_obligations",
            "obligations",
            "lines",
            "shipments",
        ]


class ShipmentInputSerializer(serializers.Serializer):
    shipped_on = serializers.DateField()
    evidence_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="E.g. the third-party test report's."
    )
    invoice_value_usd = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the licence owes a revenue share or duty on its shipments.",
    )
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        return resolve_products(items)


# LPP notifications


class NotificationInputSerializer(serializers.Serializer):
    destination = CountryCodeField()
    consignee = PartyField(allow_name=True, help_text="Party id, details, or a name located in the destination.")
    end_user_hq = serializers.ListField(child=CountryCodeField(), required=False, default=list, max_length=50)
    items = ItemSerializer(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        return resolve_products(items)


class NotificationLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    quantity = serializers.IntegerField(max_value=MAX_QUANTITY)


class NotificationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    destination = serializers.CharField(source="destination_id")
    items = NotificationLineSerializer(source="lines", many=True)
    total_h100e = serializers.SerializerMethodField()

    class Meta:
        model = LppNotification
        fields = [
            "id",
            "destination",
            "consignee",
            "consignee_party",
            "end_user_hq",
            "year",
            "total_tpp",
            "total_h100e",
            "items",
            "created_at",
        ]

    def get_total_h100e(self, notification) -> str:
        return str(h100e(notification.total_tpp))
