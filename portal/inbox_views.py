"""The inbox page of the exporter pages (any signed-in user sees their own messages there) and marking read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import inbox
from portal.models import InboxMessage

INBOX_PER_PAGE = 25


@login_required
def inbox_page(request):
    """The user's messages, newest first, a page at a time (every one reachable: no silent cap)."""
    page = Paginator(inbox.inbox_for(request.user), INBOX_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inbox.html", {"inbox_messages": page.object_list, "page": page, "others": ""})


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


def unread_inbox(request) -> dict[str, object]:
    """Context processor: the unread count the header's inbox link shows, counted only when a template reads it
    (once): the admin's pages, which have no such link, ask nothing of the inbox."""
    user = getattr(request, "user", None)
    return {"inbox_unread": SimpleLazyObject(lambda: inbox.unread_count(user) if user is not None else 0)}
