"""The OpenAPI document says what the API really does.

- Every operation documents the error answers it can give: 422 (malformed input) when it takes
  parameters or a body, 400 (a rule broken, or a body that is not a JSON object) when it takes a
  body, 404 when its path names an object, 401 when it accepts a token (a bad token is a 401 even
  on public operations).
- Operations open to anonymous callers list the empty security requirement `{}` beside the token
  and session, as OpenAPI spells "authentication optional".
"""

from ninja.openapi.schema import OpenAPISchema

from accounts.auth import Anonymous, TokenAuth

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                {"type": "null"},
            ]
        },
    },
    "required": ["detail"],
}
DESCRIPTIONS = {
    400: "A rule was broken, or the input has a NUL character; `errors` names the field",
    401: "Authentication required, or the token is unknown or revoked",
    404: "Not found (or not yours to see)",
    422: "Malformed input; `errors` names the field",
}


class CrossroadsOpenAPISchema(OpenAPISchema):
    def responses(self, operation):
        result = super().responses(operation)
        has_params = bool(operation.models)
        has_path_params = "{" in operation.path if hasattr(operation, "path") else False
        wanted = []
        if has_params:
            wanted += [400, 422]  # 400: a rule broken, or a NUL character (config/middleware.py)
        if has_path_params:
            wanted.append(404)
        if any(isinstance(auth, TokenAuth) for auth in operation.auth_callbacks):
            wanted.append(401)
        for status in wanted:
            result.setdefault(
                status,
                {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": ERROR_SCHEMA}}},
            )
        return result

    def operation_security(self, operation):
        result = super().operation_security(operation)
        if result is not None and any(isinstance(auth, Anonymous) for auth in operation.auth_callbacks):
            result.append({})
        return result
