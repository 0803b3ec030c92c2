"""The OpenAPI schema tells the truth about errors: every status an operation can answer is documented.

Errors are mapped in one place (portal/api/exception_handler.py), so which ones an operation can answer follows
from its shape: a body can be invalid (400), too large (413) or of the wrong type (415); a write can be refused
by a rule (409); a path names a record that may not exist or be out of scope (404); a signed-in operation can
lack credentials (401) or the role (403); a throttled one answers 429."""

from drf_spectacular.openapi import AutoSchema

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": {},
}
# Field messages keyed by field (nested for nested input), or {"detail": …} for a malformed body.
_FIELD_MESSAGES = {"type": "object", "additionalProperties": {}}

ERRORS = {
    "400": ("Invalid input: messages by field.", _FIELD_MESSAGES),
    "401": ("No valid credentials.", _DETAIL),
    "403": ("The role lacks the right.", _DETAIL),
    "404": ("Unknown, or out of scope for you.", _DETAIL),
    "409": ("A rule refuses it now (state, allotment, four eyes); `detail` says why.", _DETAIL),
    "413": ("The request body is too large.", _DETAIL),
    "415": ("The body is not JSON (or a form).", _DETAIL),
    "429": ("Too many attempts; wait and try again.", _DETAIL),
}

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            description, schema = ERRORS[code]
            responses.setdefault(
                code, {"content": {"application/json": {"schema": schema}}, "description": description}
            )
        return responses

    def _error_codes(self) -> list[str]:
        codes = []
        takes_body = self.method in {"POST", "PUT", "PATCH"}
        if takes_body or self.method == "DELETE" or self._is_list_view() or self.get_override_parameters():
            codes.append("400")
        if self.get_auth():
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in WRITES:
            codes.append("409")
        if takes_body:
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes


def any_of_for_undiscriminated_shapes(result, generator, request, public):
    """A response documented as one of several shapes without a discriminator (a country's detail, with or without
    allotment use) matches several of them at once; `oneOf` would then reject it. Say `anyOf`."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if "oneOf" in component and "discriminator" not in component:
            component["anyOf"] = component.pop("oneOf")
    return result
