"""The official HSDS 3.0 schemas (read from ../shared/hsds, never copied here), ready to validate with.

- `validate_service(doc)`: against schema/service_with_definitions.json.
- `strict(schema)`: a copy with `additionalProperties: false` on every object, so a key HSDS does not
  define (a misspelt field, or one of ours leaking out) fails.
- `validate_api_response(path, doc)`: against the response schema the HSDS OpenAPI contract
  (schema/openapi.json) declares for GET <path>. Those schemas $ref the published compiled files
  (https://raw.githubusercontent.com/openreferral/specification/3.0/schema/...); a referencing.Registry
  maps each of those URIs to the file beside it, so nothing is fetched.
Formats are asserted (uuid, email, and uri/date-time with small checkers of our own, because
jsonschema's need packages we do not install).
"""

import copy
import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
HSDS_DIR = Path(os.environ.get("HSDS_DIR", ROOT.parent / "shared" / "hsds"))
SCHEMA_DIR = HSDS_DIR / "schema"
EXAMPLES_DIR = HSDS_DIR / "examples"
PUBLISHED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URI = PUBLISHED + "openapi.json"
SERVICE_URI = PUBLISHED + "compiled/service.json"
# The URIs openapi.json refers to, and the local file (or definition) each one is.
FILES = {
    "compiled/service.json": "service_with_definitions.json",
    "compiled/service_list.json": "service_list.json",
    "compiled/organization.json": "organization.json",
    "compiled/organization_list.json": "organization_list.json",
    "compiled/service_at_location_list.json": "service_at_location_list.json",
    "openapi.json": "openapi.json",
}
DEFINITIONS = {"taxonomy.json": "taxonomy", "taxonomy_term.json": "taxonomy_term"}


def require_hsds() -> None:
    if not (SCHEMA_DIR / "service_with_definitions.json").exists():
        pytest.fail(f"the HSDS 3.0 schemas are missing at {SCHEMA_DIR} (set HSDS_DIR)", pytrace=False)


@cache
def load(name: str) -> dict:
    require_hsds()
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def example(name: str):
    require_hsds()
    return json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))


def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


def _is_datetime(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value and moment.tzinfo is not None


FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("date-time")(_is_datetime)


def strict(schema: dict) -> dict:
    """A copy that forbids keys the schema does not define, on every object it describes."""
    result = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


@cache
def registry(strict_mode: bool = False) -> Registry:
    resources = []
    for uri_part, filename in FILES.items():
        contents = load(filename)
        if strict_mode and filename != "openapi.json":
            contents = strict(contents)
        resources.append((PUBLISHED + uri_part, DRAFT202012.create_resource(contents)))
    for uri_part, definition in DEFINITIONS.items():
        wrapper = {"$ref": f"{SERVICE_URI}#/definitions/{definition}"}
        resources.append((PUBLISHED + uri_part, Resource.from_contents(wrapper, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def validator(schema: dict, *, strict_mode: bool = False) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=registry(strict_mode), format_checker=FORMATS)


def errors(schema: dict, doc, *, strict_mode: bool = False) -> list[str]:
    found = validator(schema, strict_mode=strict_mode).iter_errors(doc)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]


def service_errors(doc: dict, *, strict_mode: bool = False) -> list[str]:
    schema = load("service_with_definitions.json")
    return errors(strict(schema) if strict_mode else schema, doc, strict_mode=strict_mode)


def api_response_errors(path: str, doc, *, strict_mode: bool = False) -> list[str]:
    """Errors of `doc` against the schema openapi.json gives GET <path> (e.g. "/services/{id}")."""
    pointer = (
        "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get/responses/200/content/application~1json/schema"
    )
    return errors({"$ref": OPENAPI_URI + "#" + pointer}, doc, strict_mode=strict_mode)


def core_fields(definition: str | None = None) -> list[str]:
    """The fields HSDS marks core ("core": "Y") for the service, or for one of its definitions."""
    schema = load("service_with_definitions.json")
    node = schema if definition is None else schema["definitions"][definition]
    return [name for name, spec in node["properties"].items() if spec.get("core") == "Y"]
