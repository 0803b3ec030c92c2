"""Failed sign-ins lock the account after five in a row from anywhere, and an address only at 100 (SPEC §6 v2),
on all three sign-in paths; X-Forwarded-For is believed only as far as the configured proxies."""

import pytest
from django.test import Client, RequestFactory

from portal.signin.lockout import client_ip
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-strong-test-password"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def spoofed(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n % 250 + 1}"}


def token_status(api, username: str, password: str, **extra) -> int:
    return api.post(TOKEN, {"username": username, "password": password}, format="json", **extra).status_code


def test_token_endpoint_locks_the_account_whatever_x_forwarded_for_says(api):
    make_user("negotiator", username="nina")
    statuses = [token_status(api, "nina", f"guess-{n}", **spoofed(n)) for n in range(30)]
    assert statuses[:4] == [400] * 4  # wrong password
    assert set(statuses[4:]) == {429}  # the fifth failure locks the account
    locked = api.post(TOKEN, {"username": "nina", "password": PASSWORD}, format="json", **spoofed(99))
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]


def test_admin_login_locks_the_account_and_then_refuses_the_right_password():
    make_user("licensing_officer", username="olga")
    browser = Client()
    for n in range(25):
        browser.post("/admin/login/", {"username": "olga", "password": f"guess-{n}"}, **spoofed(n))
    response = browser.post("/admin/login/?next=/admin/", {"username": "olga", "password": PASSWORD}, **spoofed(7))
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert browser.get("/admin/").status_code == 302  # still signed out


def test_a_lock_on_one_path_holds_on_the_others(api):
    make_user("licensing_officer", username="olga")
    browser = Client()
    for n in range(5):
        browser.post("/accounts/login/", {"username": "olga", "password": f"guess-{n}"})
    assert browser.post("/admin/login/", {"username": "olga", "password": PASSWORD}).status_code == 429
    assert token_status(api, "olga", PASSWORD) == 429


def test_accounts_login_locks_after_five_and_says_so_on_a_page():
    make_user("exporter", username="ada")
    browser = Client()
    statuses = [
        browser.post("/accounts/login/", {"username": "ada", "password": f"guess-{n}"}, **spoofed(n)).status_code
        for n in range(30)
    ]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}
    page = browser.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert page.status_code == 429
    assert b"Other accounts are" in page.content
    assert "_auth_user_id" not in browser.session


def test_another_account_still_signs_in_from_the_same_address_while_one_is_locked(api):
    make_user("negotiator", username="nina")
    make_user("negotiator", username="noor")
    for n in range(10):
        token_status(api, "nina", f"guess-{n}")
    assert token_status(api, "nina", PASSWORD) == 429
    assert token_status(api, "noor", PASSWORD) == 200
    assert Client().post("/accounts/login/", {"username": "noor", "password": PASSWORD}).status_code == 302


def test_twenty_successful_sign_ins_in_a_row_from_one_address_all_succeed(api):
    make_user("negotiator", username="nina")
    assert [token_status(api, "nina", PASSWORD) for _ in range(20)] == [200] * 20
    browser = Client()
    for _ in range(20):
        assert browser.post("/accounts/login/", {"username": "nina", "password": PASSWORD}).status_code == 302


def test_a_successful_sign_in_resets_the_accounts_count(api):
    make_user("negotiator", username="nina")
    for _round in range(3):
        assert [token_status(api, "nina", "wrong-password") for _ in range(4)] == [400] * 4
        assert token_status(api, "nina", PASSWORD) == 200


def test_an_address_locks_only_after_a_hundred_failures_over_many_accounts(api):
    make_user("negotiator", username="nina")
    for n in range(99):  # 33 accounts, 3 wrong passwords each: no account is locked
        assert token_status(api, f"someone-{n // 3}", "wrong-password") == 400
    assert token_status(api, "nina", PASSWORD) == 200
    assert token_status(api, "someone-new", "wrong-password") == 429  # the 100th failure locks the address
    assert token_status(api, "nina", PASSWORD) == 429
    assert token_status(api, "nina", PASSWORD, REMOTE_ADDR="192.0.2.44") == 200  # another office


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
    ids=["no-proxy-ignores-header", "one", "one-spoofed-prefix", "two", "too-few-entries", "garbage", "missing"],
)
def test_client_address_comes_from_the_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.SIGNIN_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_spoofed_addresses_do_not_spread_an_offices_failures(api, settings):
    settings.SIGNIN_TRUSTED_PROXY_COUNT = 1
    make_user("negotiator", username="nina")
    office = "203.0.113.9"
    for n in range(100):
        forwarded = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n % 250 + 1}, {office}", "REMOTE_ADDR": "10.0.0.1"}
        token_status(api, f"someone-{n // 4}", "wrong-password", **forwarded)
    assert token_status(api, "nina", PASSWORD, HTTP_X_FORWARDED_FOR=office, REMOTE_ADDR="10.0.0.1") == 429
    elsewhere = {"HTTP_X_FORWARDED_FOR": "192.0.2.44", "REMOTE_ADDR": "10.0.0.1"}
    assert token_status(api, "nina", PASSWORD, **elsewhere) == 200
