"""Passwords are set only by their owner, from an e-mailed link (Django's reset views at /accounts/password-reset/)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.http import HttpRequest
from django.test import Client

from portal import services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Correct-horse-battery-77"


def link_in(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def set_password_through(client: Client, link: str) -> None:
    page = client.get(link, follow=True)  # Django swaps the token in the URL for a session key first
    assert page.status_code == 200
    assert "Set your password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password is set" in done.content.decode()


def test_forgotten_password_link_by_email_works_once(client):
    user = make_user("negotiator", username="nina")
    User.objects.filter(pk=user.pk).update(email="nina@example.gov")
    response = client.post("/accounts/password-reset/", {"email": "nina@example.gov"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nina@example.gov"]]
    link = link_in(mail.outbox[0])

    set_password_through(client, link)

    assert Client().login(request=HttpRequest(), username="nina", password=NEW_PASSWORD)
    assert "has been used or has expired" in Client().get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.gov"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_a_weak_password_is_refused_on_the_link_page(client):
    user = make_user("negotiator", username="nina")
    User.objects.filter(pk=user.pk).update(email="nina@example.gov")
    client.post("/accounts/password-reset/", {"email": "nina@example.gov"})
    page = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()
    assert User.objects.get(pk=user.pk).check_password("a-strong-test-password")


def test_a_new_user_sets_the_first_password_from_the_invitation(client, django_capture_on_commit_callbacks):
    pat = make_user("policy_admin", username="pat")
    with django_capture_on_commit_callbacks(execute=True):
        services.user_create(actor=pat, username="lee", email="lee@example.gov", roles=["licensing_officer"])
    invitation = mail.outbox[0]
    assert invitation.to == ["lee@example.gov"]
    assert "An account has been opened for you" in invitation.body and "Your username is lee" in invitation.body
    assert not Client().login(request=HttpRequest(), username="lee", password=NEW_PASSWORD)

    set_password_through(client, link_in(invitation))

    assert Client().login(request=HttpRequest(), username="lee", password=NEW_PASSWORD)
