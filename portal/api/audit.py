from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from portal.api.permissions import HasPermission
from portal.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "verb", "target_type", "target_id", "target_repr", "payload"]


class AuditEventFilter(filters.FilterSet):
    target_type = filters.CharFilter()
    target_id = filters.CharFilter()
    verb = filters.CharFilter()

    class Meta:
        model = AuditEvent
        fields = ["target_type", "target_id", "verb"]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The read-only audit trail (staff)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission_classes = [HasPermission("portal.view_auditevent")]

    def get_queryset(self):
        return AuditEvent.objects.select_related("actor")
