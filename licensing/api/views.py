"""Thin views: validate the body, call one service, answer with the caller's serializer."""

from django.db.models import Exists, OuterRef
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from licensing import selectors, services
from licensing.api import serializers as s
from licensing.api.fields import MAX_ID
from licensing.choices import ApplicationStatus
from licensing.models import Application, Licence, LppNotification, Referral
from licensing.services import drafts as draft_services
from portal.api.permissions import ActionPermissions, CanView, HasPermission

# The exporter's own acts on their organisation's records; every other action is open to whoever may see the
# record (the queryset answers 404 outside their scope) and the service decides it by the workflow table (403).
FILE_APPLICATION = HasPermission("licensing.file_application")
INFO_REQUEST_ID = OpenApiParameter(
    "info_request", int, OpenApiParameter.PATH, description="The request's id (the application's info_requests)."
)


def _request_id(value: str) -> int:
    """A request-for-information id from the path; beyond any row's id it names none (404, not an overflow)."""
    number = int(value)
    if number > MAX_ID:
        raise Http404("No such request for information on this application.")
    return number


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The chip and system catalogue with TPP, ECCN and H100-equivalents."""

    serializer_class = s.ProductSerializer
    pagination_class = None  # a bounded catalogue

    def get_queryset(self):
        return selectors.catalogue()


class ApplicationFilter(filters.FilterSet):
    # No DISTINCT (django-filter's default for multiple choices): a row's own status cannot repeat it, and
    # SELECT DISTINCT over the whole row made PostgreSQL read and sort every match before the first page.
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, distinct=False)
    destination = filters.CharFilter(method="filter_destination", help_text="ISO alpha-2 code, any case.")
    acn = filters.CharFilter(method="filter_acn", help_text="Application Control Number, any case.")
    agency = filters.CharFilter(
        method="filter_agency",
        help_text="Referred to this agency (defense, state, energy). Staff and agency reviewers only: an "
        "exporter's request ignores it.",
    )

    class Meta:
        model = Application
        fields = ["status", "destination", "acn", "agency"]

    def filter_destination(self, queryset, name, value):
        return queryset.filter(destination_id=value.strip().upper())

    def filter_acn(self, queryset, name, value):
        return queryset.filter(acn=value.strip().upper())  # ACNs are upper case: the unique index answers

    # Filters on internal routing: left out for whoever may not see it (exporters), so their request ignores
    # them like any unknown parameter and the answer is the same whatever value is given.
    ROUTING_FILTERS = ("agency",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not selectors.sees_routing(getattr(self.request, "user", None)):
            for name in self.ROUTING_FILTERS:
                self.filters.pop(name, None)

    def filter_agency(self, queryset, name, value):
        """A semi-join (EXISTS): each case once, without DISTINCT over the joined referrals."""
        referred = Referral.objects.filter(application=OuterRef("pk"), agency__code=value.strip().lower())
        return queryset.filter(Exists(referred))


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Licence applications (BIS-748P shape).

    Exporters see their organisation's, staff all, agency reviewers those referred to their agency.
    """

    filterset_class = ApplicationFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    permission_classes = [ActionPermissions]
    action_permissions = {
        **dict.fromkeys(
            ("create", "partial_update", "update", "destroy", "submit", "withdraw", "respond"), FILE_APPLICATION
        ),
        "*": CanView(Application),
    }

    def get_queryset(self):
        return selectors.applications_for_listing(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return s.ApplicationWriteSerializer
        if self.action == "partial_update":
            return s.ApplicationPatchSerializer
        return self.reading_serializer()

    def reading_serializer(self):
        """Staff, agency reviewers and exporters each read a case in their own shape."""
        if selectors.sees_internal_fields(self.request.user):
            return s.StaffApplicationSerializer
        if selectors.reads_as_reviewer(self.request.user):
            return s.ReviewerApplicationSerializer
        return s.ExporterApplicationSerializer

    def represent(self, application: Application) -> dict:
        return self.reading_serializer()(application, context=self.get_serializer_context()).data

    @extend_schema(
        responses={
            204: OpenApiResponse(description="The draft is deleted, with its lines, parties and documents."),
            409: OpenApiResponse(description="Not a draft: a sent application is never deleted (withdraw it)."),
        }
    )
    def destroy(self, request, *args, **kwargs):
        draft_services.application_delete_draft(actor=request.user, application=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ApplicationWriteSerializer, responses={201: s.ExporterApplicationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.ApplicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_create(actor=request.user, **serializer.validated_data)
        return Response(self.represent(self.get_queryset().get(pk=application.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ApplicationPatchSerializer, responses=s.ExporterApplicationSerializer)
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = s.ApplicationPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.application_update(actor=request.user, application=application, **serializer.validated_data)
        return Response(self.represent(self.get_queryset().get(pk=application.pk)))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _run(self, request, body_serializer, service, **arguments):
        """An action: validate its body, call its one service (with any `arguments` from the path), answer with the
        case as the caller sees it."""
        body = {}
        if body_serializer is not None:
            serializer = body_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            body = serializer.validated_data
        application = service(actor=request.user, application=self.get_object(), **arguments, **body)
        return Response(self.represent(self.get_queryset().get(pk=application.pk)))

    @extend_schema(request=s.SubmitSerializer, responses=s.ExporterApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(request, s.SubmitSerializer, services.application_submit)

    @extend_schema(request=s.ReasonSerializer, responses=s.ExporterApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._run(request, s.ReasonSerializer, services.application_withdraw)

    @extend_schema(request=s.AnswerSerializer, responses=s.ExporterApplicationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._run(request, s.AnswerSerializer, services.application_respond)

    @extend_schema(request=None, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._run(request, None, services.application_start_review)

    @extend_schema(request=s.QuestionSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        return self._run(request, s.QuestionSerializer, services.application_request_info)

    @extend_schema(request=s.ReferSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        return self._run(request, s.ReferSerializer, services.application_refer)

    @extend_schema(request=s.RecommendSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None):
        return self._run(request, s.RecommendSerializer, services.application_recommend)

    @extend_schema(request=s.ReasonSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_without_action(self, request, pk=None):
        return self._run(request, s.ReasonSerializer, services.application_return)

    @extend_schema(
        request=s.QuestionSerializer,
        parameters=[INFO_REQUEST_ID],
        responses={
            200: s.StaffApplicationSerializer,
            404: OpenApiResponse(description="No such request for information on this application."),
            409: OpenApiResponse(description="The request was answered or withdrawn: it stays as it is."),
        },
    )
    @action(detail=True, methods=["post"], url_path=r"info-requests/(?P<info_request>[0-9]+)/amend")
    def amend_info_request(self, request, pk=None, info_request=None):
        """Reword an unanswered request for information; the exporter is told."""
        return self._run(
            request, s.QuestionSerializer, services.info_request_amend, info_request=_request_id(info_request)
        )

    @extend_schema(
        request=s.InfoRequestWithdrawSerializer,
        parameters=[INFO_REQUEST_ID],
        responses={
            200: s.StaffApplicationSerializer,
            404: OpenApiResponse(description="No such request for information on this application."),
            409: OpenApiResponse(description="The request was answered or withdrawn already."),
        },
    )
    @action(detail=True, methods=["post"], url_path=r"info-requests/(?P<info_request>[0-9]+)/withdraw")
    def withdraw_info_request(self, request, pk=None, info_request=None):
        """Withdraw an unanswered request for information with a reason: review resumes, the clock runs again."""
        return self._run(
            request,
            s.InfoRequestWithdrawSerializer,
            services.info_request_withdraw,
            info_request=_request_id(info_request),
        )

    @extend_schema(request=s.AgencyRecommendSerializer, responses=s.ReviewerApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="agency-recommendation")
    def agency_recommendation(self, request, pk=None):
        return self._run(request, s.AgencyRecommendSerializer, services.application_agency_recommend)

    @extend_schema(request=s.ApproveSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, s.ApproveSerializer, services.application_approve)

    @extend_schema(request=s.ReasonSerializer, responses=s.StaffApplicationSerializer)
    @action(detail=True, methods=["post"])
    def deny(self, request, pk=None):
        return self._run(request, s.ReasonSerializer, services.application_deny)


class LicenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Licences with approved, shipped and remaining quantity per line."""

    serializer_class = s.LicenceSerializer
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_fields = ["status"]

    permission_classes = [ActionPermissions]
    action_permissions = {
        "shipments": HasPermission("licensing.report_shipment"),
        **dict.fromkeys(("suspend", "reinstate", "revoke"), HasPermission("licensing.manage_licence")),
        "*": CanView(Licence),
    }

    def get_queryset(self):
        return selectors.licences_for_listing(self.request.user)

    def _answer(self, licence):
        return Response(s.LicenceSerializer(self.get_queryset().get(pk=licence.pk)).data)

    @extend_schema(request=s.ShipmentInputSerializer, responses={201: s.LicenceSerializer})
    @action(detail=True, methods=["post"])
    def shipments(self, request, number=None):
        serializer = s.ShipmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = self.get_object()
        services.shipment_report(actor=request.user, licence=licence, **serializer.validated_data)
        response = self._answer(licence)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _transition(self, request, service):
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(service(actor=request.user, licence=self.get_object(), **serializer.validated_data))

    @extend_schema(request=s.ReasonSerializer, responses=s.LicenceSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, number=None):
        return self._transition(request, services.licence_suspend)

    @extend_schema(request=s.ReasonSerializer, responses=s.LicenceSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, number=None):
        return self._transition(request, services.licence_reinstate)

    @extend_schema(request=s.ReasonSerializer, responses=s.LicenceSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, number=None):
        return self._transition(request, services.licence_revoke)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """LPP notifications: filed by exporters while the export is LPP-eligible; read by staff."""

    serializer_class = s.NotificationSerializer

    permission_classes = [ActionPermissions]
    action_permissions = {"create": HasPermission("licensing.file_notification"), "*": CanView(LppNotification)}

    def get_queryset(self):
        return selectors.notifications_for_listing(self.request.user)

    @extend_schema(request=s.NotificationInputSerializer, responses={201: s.NotificationSerializer})
    def create(self, request):
        serializer = s.NotificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification = services.notification_file(actor=request.user, **serializer.validated_data)
        return Response(
            s.NotificationSerializer(self.get_queryset().get(pk=notification.pk)).data, status=status.HTTP_201_CREATED
        )
