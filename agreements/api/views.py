import datetime
from collections.abc import Mapping

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import selectors, services
from agreements.api.serializers import (
    AgreementCreateSerializer,
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementUpdateSerializer,
    AllotmentSerializer,
    AmendmentCreateSerializer,
    CountryDetailSerializer,
    CountrySerializer,
    CountryStaffDetailSerializer,
    LedgerEntrySerializer,
    PolicySerializer,
    PolicySwitchSerializer,
    PolicyWithdrawSerializer,
    SignSerializer,
    TermsVersionSerializer,
    TransitionSerializer,
)
from agreements.choices import AllotmentSource, PolicyStatus
from agreements.models import Agreement, Allotment, Country, Policy, TermsVersion
from agreements.workflow import SWITCH_POLICY
from portal.api.permissions import ActionPermissions, CanView, HasPermission
from portal.permissions import allowed

# Staff (SPEC § 1) and negotiators read the policy side's agreements and allotments; negotiators write.
NEGOTIATE = HasPermission("agreements.negotiate_agreement")


class DemandMixin:
    """Pending demand (TPP asked for by undecided applications) is licensing's figure: these views report none
    (null). licensing.api.impact subclasses them to pass it in (licensing.selectors.pending_demand)."""

    def pending_demand(self, allotment_ids: list[int]) -> Mapping[int, int] | None:
        return None


def _usage(view: DemandMixin, allotments: list[Allotment], at: datetime.datetime | None = None):
    return selectors.allotment_usage(allotments, at, pending=view.pending_demand([a.pk for a in allotments]))


class CountryViewSet(DemandMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every ISO 3166-1 country with its tier today. The detail adds the agreement in force now and the
    country's allotments (with use and demand for staff and negotiators)."""

    serializer_class = CountrySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    pagination_class = None  # a bounded reference list (249 rows)

    def get_queryset(self):
        return selectors.countries_with_tier(timezone.localdate()).order_by("code")

    def get_serializer_class(self):
        if self.action != "retrieve":
            return CountrySerializer
        staff = allowed(self.request.user, "agreements.view_allotment_usage")
        return CountryStaffDetailSerializer if staff else CountryDetailSerializer

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="CountryDetailResponse",
            serializers=[CountryStaffDetailSerializer, CountryDetailSerializer],
            resource_type_field_name=None,
        )
    )
    def retrieve(self, request, code=None):
        country = self.get_object()
        now = timezone.now()
        context = {
            **self.get_serializer_context(),
            "agreement": selectors.agreement_in_force(country.code, now),
            "allotments": _usage(self, selectors.country_allotments(country.code), now),
        }
        return Response(self.get_serializer_class()(country, context=context).data)


# Policy switches and proposals, gated by permission (portal/roles.py decides who holds them).
MaySwitchPolicy = HasPermission(SWITCH_POLICY)
MayViewPolicies = HasPermission("agreements.view_policy")


class PolicyView(APIView):
    """GET: the policy in force. POST (policy_admin): propose a switch to a new policy from an instant (or from its
    approval); it takes effect only when another policy administrator approves it."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [MaySwitchPolicy()]
        return super().get_permissions()

    @extend_schema(responses=PolicySerializer)
    def get(self, request):
        return Response(PolicySerializer(selectors.policy_in_force()).data)

    @extend_schema(request=PolicySwitchSerializer, responses={201: PolicySerializer})
    def post(self, request):
        serializer = PolicySwitchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_propose(actor=request.user, **serializer.validated_data)
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class PolicyStatusFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=PolicyStatus.choices, help_text="Default: proposed (awaiting approval)."
    )

    class Meta:
        model = Policy
        fields = ["status"]


class PolicyProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Policy rows. The list (`/policy/proposals/`) shows the proposals awaiting a second policy administrator,
    newest first (`?status=approved` or `withdrawn` for the others); `/policy/{id}/` any one row. Approve and
    withdraw move a proposal (policy administrators; the proposer may not approve their own)."""

    serializer_class = PolicySerializer
    filterset_class = PolicyStatusFilter

    def get_permissions(self):
        return [MaySwitchPolicy() if self.request.method == "POST" else MayViewPolicies()]

    def get_queryset(self):
        return selectors.policy_proposals(status=None)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not self.request.query_params.get("status"):
            queryset = queryset.filter(status=PolicyStatus.PROPOSED)
        return queryset

    @extend_schema(operation_id="policy_proposals_list")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(operation_id="policy_row_retrieve")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Put the proposal in force from its instant (now if that has passed): another policy administrator."""
        policy = services.policy_approve(actor=request.user, policy=self.get_object())
        return Response(PolicySerializer(policy).data)

    @extend_schema(request=PolicyWithdrawSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        body = PolicyWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.policy_withdraw(actor=request.user, policy=self.get_object(), **body.validated_data)
        return Response(PolicySerializer(policy).data)


# Agreements


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bilateral agreements with their newest terms. Negotiators create and change them (terms only while draft
    or negotiating; afterwards by amendment) and move them through their lifecycle; staff read them."""

    serializer_class = AgreementDetailSerializer

    permission_classes = [ActionPermissions]
    action_permissions = {
        **dict.fromkeys(("list", "retrieve", "amendments", "metadata"), CanView(Agreement)),
        "create": HasPermission("agreements.add_agreement"),
        **dict.fromkeys(("partial_update", "update"), HasPermission("agreements.change_agreement")),
        "amend": HasPermission("agreements.add_termsversion"),
        "*": NEGOTIATE,  # the lifecycle moves
    }

    def get_serializer_class(self):
        return AgreementSerializer if self.action == "list" else AgreementDetailSerializer

    def _visible(self) -> QuerySet[Agreement]:
        return Agreement.objects.restrict(self.request.user, "view").select_related("country", "lead_negotiator")

    def get_queryset(self):
        return selectors.agreements_for_display(self._visible(), history=self.action != "list")

    def _show(self, agreement: Agreement, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.agreements_for_display(self._visible(), history=True).get(pk=agreement.pk)
        return Response(AgreementDetailSerializer(fresh).data, status=code)

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementDetailSerializer})
    def create(self, request):
        body = AgreementCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = services.agreement_create(actor=request.user, **body.validated_data)
        return self._show(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=AgreementUpdateSerializer, responses=AgreementDetailSerializer)
    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        body = AgreementUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.agreement_update(actor=request.user, agreement=agreement, **body.validated_data)
        return self._show(agreement)

    def _move(self, request, service, body_class=TransitionSerializer) -> Response:
        agreement = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        service(actor=request.user, agreement=agreement, **body.validated_data)
        return self._show(agreement)

    @extend_schema(request=TransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="start-negotiation")
    def start_negotiation(self, request, pk=None):
        return self._move(request, services.agreement_start_negotiation)

    @extend_schema(request=SignSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._move(request, services.agreement_sign, SignSerializer)

    @extend_schema(request=TransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="enter-into-force")
    def enter_into_force(self, request, pk=None):
        return self._move(request, services.agreement_enter_into_force)

    @extend_schema(request=TransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._move(request, services.agreement_suspend)

    @extend_schema(request=TransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._move(request, services.agreement_resume)

    @extend_schema(request=TransitionSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._move(request, services.agreement_terminate)

    @staticmethod
    def _versions(agreement: Agreement) -> QuerySet[TermsVersion]:
        return agreement.terms_versions.select_related("created_by").prefetch_related(*selectors.TERMS_PREFETCH)

    @extend_schema(responses=TermsVersionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def amendments(self, request, pk=None):
        """Every terms version, newest first, each with its allotment schedule."""
        page = self.paginate_queryset(self._versions(self.get_object()))
        return self.get_paginated_response(TermsVersionSerializer(page, many=True).data)

    @extend_schema(request=AmendmentCreateSerializer, responses={201: TermsVersionSerializer})
    @amendments.mapping.post
    def amend(self, request, pk=None):
        """A new terms version of a signed, in-force or suspended agreement from `effective_from`."""
        agreement = self.get_object()
        body = AmendmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        terms = dict(body.validated_data)
        effective_from, reason = terms.pop("effective_from"), terms.pop("reason")
        version = services.amendment_create(
            actor=request.user, agreement=agreement, effective_from=effective_from, reason=reason, terms=terms
        )
        data = TermsVersionSerializer(self._versions(agreement).get(pk=version.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


# Allotments


class CountryCodeFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = value.strip().upper()
        if not Country.objects.filter(code=code).exists():
            raise forms.ValidationError(f"Unknown country {value!r}: give an ISO 3166-1 alpha-2 code such as IN.")
        return code


class CountryCodeFilter(django_filters.CharFilter):
    field_class = CountryCodeFormField


class AllotmentFilter(django_filters.FilterSet):
    country = CountryCodeFilter(field_name="country_id", help_text="ISO 3166-1 alpha-2 code, any case.")
    source = django_filters.ChoiceFilter(choices=AllotmentSource.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")

    class Meta:
        model = Allotment
        fields = ["country", "source", "agreement"]


class AllotmentViewSet(DemandMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Country allotments with their use now: capacity (with the G2G uplift where it applies), committed,
    pending demand and remaining TPP. Staff and negotiators only."""

    serializer_class = AllotmentSerializer
    filterset_class = AllotmentFilter

    permission_classes = [CanView(Allotment)]

    def get_queryset(self):
        return Allotment.objects.restrict(self.request.user, "view").select_related("country", "agreement")

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AllotmentSerializer(_usage(self, page), many=True).data)

    def retrieve(self, request, pk=None):
        (usage,) = _usage(self, [self.get_object()])
        return Response(AllotmentSerializer(usage).data)

    @extend_schema(responses=LedgerEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """The allotment's append-only ledger: reserves and releases, newest first."""
        page = self.paginate_queryset(self.get_object().ledger.select_related("actor"))
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)
