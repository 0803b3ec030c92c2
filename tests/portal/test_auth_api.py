import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_token_for_right_password_authenticates_later_requests(api):
    make_user("negotiator", username="nina")
    response = api.post("/api/v1/auth/token/", {"username": "nina", "password": "a-strong-test-password"})
    assert response.status_code == 200
    assert response.json()["expiry"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/policy/").status_code == 200


def test_wrong_password_is_400_with_a_message(api):
    make_user("negotiator", username="nina")
    response = api.post("/api/v1/auth/token/", {"username": "nina", "password": "wrong"})
    assert response.status_code == 400
    assert "Unable to log in" in str(response.json())


def test_missing_credentials_is_401(api):
    assert api.get("/api/v1/countries/").status_code == 401


def test_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/countries/").status_code == 401


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/countries/" in schema.content
    assert api.get("/api/v1/docs/").status_code == 200
