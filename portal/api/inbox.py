"""The user's own inbox (SPEC § 5.1 v2: GET /api/v1/inbox/, POST /api/v1/inbox/{id}/read/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal import inbox
from portal.models import InboxMessage


class InboxMessageSerializer(serializers.ModelSerializer):
    about = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = InboxMessage
        fields = ["id", "created_at", "subject", "body", "link", "about", "read", "read_at"]

    def get_about(self, message: InboxMessage) -> dict[str, str]:
        return {"type": message.about_type, "id": message.about_id}

    def get_read(self, message: InboxMessage) -> bool:
        return message.read_at is not None


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's messages, newest first; no one reads another's."""

    serializer_class = InboxMessageSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return inbox.inbox_for(self.request.user)

    @extend_schema(request=None, responses=InboxMessageSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = inbox.mark_read(actor=request.user, message_id=self.get_object().pk)
        return Response(InboxMessageSerializer(message).data)
