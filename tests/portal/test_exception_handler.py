from django.core.exceptions import ValidationError
from django.db import IntegrityError

from portal.api.exception_handler import handle_exception
from portal.errors import DomainError


def test_domain_errors_are_409_with_their_message():
    response = handle_exception(DomainError("Allotment exhausted: 3.00 H100e remain.", remaining_tpp=47_496), {})
    assert response.status_code == 409
    assert response.data == {
        "detail": "Allotment exhausted: 3.00 H100e remain.",
        "code": "conflict",
        "remaining_tpp": 47_496,
    }


def test_a_lost_uniqueness_race_is_409_not_500():
    response = handle_exception(IntegrityError("duplicate key value violates unique constraint"), {})
    assert response.status_code == 409
    assert "reload and try again" in response.data["detail"]


def test_model_validation_errors_are_400_by_field():
    response = handle_exception(ValidationError({"reason": "Say why."}), {})
    assert response.status_code == 400
    assert response.data == {"reason": ["Say why."]}
