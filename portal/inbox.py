"""Writing and reading inbox messages (SPEC § 4 v2 Messages).

`notify` writes one message per recipient inside the caller's transaction (the event and its message commit
together, or neither does) and enqueues the e-mail copy for after the commit. Apps name the record by
"app_label.model" and id, so portal never imports them."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.models import InboxMessage
from portal.permissions import Actor, Viewer
from portal.roles import ROLE_PERMISSIONS
from portal.tasks import enqueue_on_commit, retried_task


def users_holding(permission: str) -> QuerySet[User]:
    """Active users whose roles grant `permission` (e.g. everyone who may decide an application)."""
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def notify(
    recipients: Iterable[User | None],
    *,
    about: models.Model,
    subject: str,
    body: str = "",
    link: str = "",
    exclude: Actor | None = None,
) -> list[InboxMessage]:
    """One message to each recipient (none twice, not the one who caused it) about `about`; e-mails after commit."""
    seen: set[int] = set()
    now = timezone.now()
    messages = []
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        messages.append(
            InboxMessage(
                recipient=user,
                about_type=about._meta.label_lower,
                about_id=str(about.pk),
                subject=subject[:200],
                body=body,
                link=link,
                created_at=now,
            )
        )
    created = InboxMessage.objects.bulk_create(messages)
    for message in created:
        enqueue_on_commit(send_inbox_email, message.pk)
    return created


@retried_task()
def send_inbox_email(message_id: int) -> None:
    """The e-mail copy of one message; safe to run twice (a message is e-mailed once)."""
    with transaction.atomic():
        message = InboxMessage.objects.select_for_update().select_related("recipient").filter(pk=message_id).first()
        if message is None or message.emailed_at is not None:
            return
        if message.recipient.email:
            link = f"\n\n{settings.PORTAL_BASE_URL.rstrip('/')}{message.link}" if message.link else ""
            send_mail(message.subject, f"{message.body}{link}", None, [message.recipient.email])
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])


def inbox_for(user: Viewer) -> QuerySet[InboxMessage]:
    """The user's own messages, newest first."""
    return InboxMessage.objects.restrict(user, "view")


def unread_count(user: Viewer) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count() if user.is_authenticated else 0


def mark_read(*, actor: Actor, message_id: int) -> InboxMessage:
    """Mark one of the actor's own messages read (404 for anyone else's: it is not in their inbox)."""
    message = inbox_for(actor).get(pk=message_id)
    if message.recipient_id != actor.pk:
        raise PermissionDenied("Only its recipient marks a message read.")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message
