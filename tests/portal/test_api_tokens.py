"""API tokens (django-rest-knox): stored hashed, expire, one per sign-in, signed out one at a time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-strong-test-password"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(username: str = "nina") -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_not_in_the_database_only_its_hash():
    make_user("negotiator", username="nina")
    key = sign_in()["token"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")  # noqa: S608 — a model's own table name
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert AuthToken.objects.get().digest != key


def test_a_token_expires_after_the_configured_hours():
    make_user("negotiator", username="nina")
    before = timezone.now()
    answer = sign_in()
    expiry = AuthToken.objects.get().expiry
    assert timedelta(hours=11, minutes=59) < expiry - before <= timedelta(hours=12, seconds=5)
    assert answer["expiry"].startswith(expiry.strftime("%Y-%m-%dT%H:%M"))


def test_an_expired_token_is_refused():
    make_user("negotiator", username="nina")
    key = sign_in()["token"]
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert with_token(key).get("/api/v1/policy/").status_code == 401


def test_a_second_sign_in_leaves_the_first_token_valid():
    make_user("negotiator", username="nina")
    first, second = sign_in()["token"], sign_in()["token"]
    assert first != second
    assert with_token(first).get("/api/v1/policy/").status_code == 200
    assert with_token(second).get("/api/v1/policy/").status_code == 200


def test_logout_signs_out_only_the_token_it_carries():
    make_user("negotiator", username="nina")
    first, second = sign_in()["token"], sign_in()["token"]
    assert with_token(first).post("/api/v1/auth/logout/").status_code == 204
    assert with_token(first).get("/api/v1/policy/").status_code == 401
    assert with_token(second).get("/api/v1/policy/").status_code == 200


def test_logout_without_a_token_is_401():
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_the_admin_shows_no_key_material(client):
    make_user("negotiator", username="nina")
    key = sign_in()["token"]
    digest = AuthToken.objects.get().digest
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    page = client.get("/admin/knox/authtoken/")
    assert page.status_code == 200
    assert b"nina" in page.content
    assert key[:15].encode() not in page.content
    assert digest[:32].encode() not in page.content
    assert client.get("/admin/knox/authtoken/add/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
