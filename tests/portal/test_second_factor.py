"""Staff need a second factor wherever DEBUG is off (SPEC §6 v2): the admin, the sign-in page and the token
endpoint. The test suite runs with the production setting switched on here, as a deployment has it."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.models import AuditEvent
from portal.signin.services import second_factor_enrol
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-strong-test-password"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.SIGNIN_SECOND_FACTOR_REQUIRED = True  # what DEBUG off sets
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def admin_sign_in(username: str, **extra) -> Client:
    browser = Client()
    browser.post("/admin/login/", {"username": username, "password": PASSWORD, **extra})
    return browser


def test_staff_without_a_code_cannot_reach_the_admin():
    officer = make_user("licensing_officer", username="olga")
    second_factor_enrol(user=officer)
    browser = Client()
    page = browser.post("/admin/login/?next=/admin/", {"username": "olga", "password": PASSWORD})
    assert page.status_code == 200
    assert b"need a one-time code" in page.content
    assert browser.get("/admin/").status_code == 302


def test_a_session_signed_in_without_the_second_factor_is_not_let_into_the_admin():
    officer = make_user("licensing_officer", username="olga")
    browser = Client()
    browser.force_login(officer)  # as if a password alone had been enough somewhere
    response = browser.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_with_the_authenticator_code_reach_the_admin():
    officer = make_user("licensing_officer", username="olga")
    second_factor_enrol(user=officer)
    browser = admin_sign_in("olga", otp=current_code(officer))
    assert browser.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message():
    officer = make_user("approving_official", username="amir")
    second_factor_enrol(user=officer)
    browser = Client()
    page = browser.post("/admin/login/", {"username": "amir", "password": PASSWORD, "otp": "000000"})
    assert b"not right" in page.content
    assert browser.get("/admin/").status_code == 302


def test_a_recovery_code_works_once():
    officer = make_user("policy_admin", username="pat")
    code = second_factor_enrol(user=officer).recovery_codes[0]
    assert admin_sign_in("pat", otp=code).get("/admin/").status_code == 200
    assert admin_sign_in("pat", otp=code).get("/admin/").status_code == 302


def test_staff_not_yet_enrolled_are_told_how_to_get_a_second_factor():
    make_user("licensing_officer", username="olga")
    page = Client().post("/admin/login/", {"username": "olga", "password": PASSWORD, "otp": "123456"})
    assert b"otp_enrol" in page.content


@pytest.mark.parametrize("role", ["agency_reviewer", "negotiator", "licensing_officer"])
def test_the_sign_in_page_asks_agency_staff_for_the_code(role):
    user = make_user(role, username="staffer")
    second_factor_enrol(user=user)
    browser = Client()
    refused = browser.post("/accounts/login/", {"username": "staffer", "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in browser.session
    signed_in = browser.post(
        "/accounts/login/", {"username": "staffer", "password": PASSWORD, "otp": current_code(user)}
    )
    assert signed_in.status_code == 302


def test_exporters_sign_in_without_a_code():
    make_user("exporter", username="ada")
    assert Client().post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 302
    token = APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD}, format="json")
    assert token.status_code == 200


def test_the_token_endpoint_asks_staff_for_the_code():
    officer = make_user("licensing_officer", username="olga")
    second_factor_enrol(user=officer)
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "olga", "password": PASSWORD}, format="json")
    assert refused.status_code == 400
    assert "one-time code" in refused.json()["non_field_errors"][0]
    granted = api.post(
        "/api/v1/auth/token/", {"username": "olga", "password": PASSWORD, "otp": current_code(officer)}, format="json"
    )
    assert granted.status_code == 200
    assert granted.json()["token"]


def test_otp_enrol_prints_the_authenticator_url_and_ten_recovery_codes(capsys):
    officer = make_user("licensing_officer", username="olga")
    call_command("otp_enrol", "olga")
    out = capsys.readouterr().out
    assert re.search(r"otpauth://totp/.*secret=", out)
    codes = re.findall(r"^  ([a-z2-7]{8})$", out, flags=re.MULTILINE)
    assert len(codes) == 10
    assert AuditEvent.objects.filter(verb="user.second_factor_enrolled", target_id=str(officer.pk)).exists()
    assert admin_sign_in("olga", otp=codes[3]).get("/admin/").status_code == 200


def test_enrolling_again_replaces_the_earlier_codes():
    officer = make_user("licensing_officer", username="olga")
    old = second_factor_enrol(user=officer).recovery_codes[0]
    second_factor_enrol(user=officer)
    assert admin_sign_in("olga", otp=old).get("/admin/").status_code == 302
