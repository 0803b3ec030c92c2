"""The inbox page of the exporter pages (any signed-in user sees their own messages there) and marking read."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import inbox
from portal.models import InboxMessage


@login_required
def inbox_page(request):
    return render(request, "inbox.html", {"inbox_messages": inbox.inbox_for(request.user)[:200]})


@login_required
@require_POST
def inbox_read(request, pk: int):
    """Mark the message read and go to the record it is about (or back to the inbox)."""
    try:
        message = inbox.mark_read(actor=request.user, message_id=pk)
    except InboxMessage.DoesNotExist as missing:
        raise Http404("No such message in your inbox.") from missing
    target = message.link if url_has_allowed_host_and_scheme(message.link, allowed_hosts=None) else ""
    return redirect(target or "inbox")


def unread_inbox(request) -> dict[str, int]:
    """Context processor: the unread count the header's inbox link shows."""
    user = getattr(request, "user", None)
    return {"inbox_unread": inbox.unread_count(user) if user is not None else 0}
