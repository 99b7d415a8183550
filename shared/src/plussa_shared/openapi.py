"""The OpenAPI 3.1 document, built from the same declarations the routes run on: models,
access, examples and conventions (paging, idempotency, entity tags, caching, languages)."""

from collections.abc import Sequence
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from plussa_shared.paging import PageLimits, PageQuery
from plussa_shared.routing import MAX_PATH_VALUE, Endpoint, public
from plussa_shared.settings import ServiceSettings

REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": REF.format(model="Problem")}
PATH_VALUE = {"type": "string", "minLength": 1, "maxLength": MAX_PATH_VALUE, "pattern": r"^[^\x00-\x1f\x7f]+$"}
"""A path placeholder as the server reads it (``read_path_value``): anything else is a 400."""
FIELD_ERROR_SCHEMA = {
    "type": "object",
    "description": "One invalid part of the request: where (exactly one of pointer, parameter, header), "
    "a stable code and a human detail.",
    "properties": {
        "pointer": {
            "type": "string",
            "description": "RFC 6901 JSON pointer into the request body",
            "examples": ["/lines/0/amount_cents"],
        },
        "parameter": {"type": "string", "description": "The query or path parameter", "examples": ["limit"]},
        "header": {"type": "string", "description": "The request header", "examples": ["Idempotency-Key"]},
        "code": {"type": "string", "description": "Stable snake_case code", "examples": ["string_too_short"]},
        "detail": {"type": "string", "description": "Human text, in English"},
    },
    "required": ["code", "detail"],
    "oneOf": [{"required": ["pointer"]}, {"required": ["parameter"]}, {"required": ["header"]}],
}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. `type` is stable and identifies the problem; `title` and "
    "`detail` are English text for people. Extension members appear only on the problems that name them.",
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": ["https://api.plussa.fi/problems/validation-failed"]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request path"},
        "errors": {
            "type": "array",
            "description": "validation-failed (422) and other refusals of named fields: every invalid field",
            "items": {"$ref": REF.format(model="FieldError")},
        },
        "retry_after": {"type": "integer", "minimum": 0, "description": "429/409: seconds to wait (also Retry-After)"},
        "error": {"type": "string", "description": "The token endpoint (identity): the RFC 6749 error code"},
        "pending": {
            "type": "array",
            "items": {"type": "string"},
            "description": "export-not-ready (identity): the services that have not answered yet",
        },
        "state": {"type": "string", "description": "A refused card transition (cards, points): the card's state"},
        "action": {"type": "string", "description": "A refused card transition (cards): the refused action"},
        "line_id": {"type": "string", "description": "unknown-line (points): the purchase line named"},
    },
    "required": ["type", "title", "status"],
}
STATUS_TEXT = {
    304: "Not modified: the If-None-Match entity tag is current",
    400: "Bad request: the request cannot be read",
    401: "Not authenticated: no valid token (only this; a refused action is 403 or 422)",
    403: "Forbidden: authenticated, but not allowed",
    404: "Not found",
    409: "Conflict with the resource's state, or the first request with this Idempotency-Key is in flight",
    412: "Precondition failed: the If-Match entity tag is stale; nothing was changed",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid fields or parameters (errors[]), or an Idempotency-Key reused for another request",
    429: "Too many requests",
    503: "Unavailable",
}
HEADERS = {
    "Cache-Control": ("no-store for personal data and tokens; public, max-age for reference data", "string"),
    "ETag": ("The resource's version as a strong entity tag; send it in If-Match / If-None-Match", "string"),
    "Location": ("The created resource", "string"),
    "Content-Language": ("The language of the answer's texts", "string"),
    "Idempotent-Replayed": ("true when this is the stored answer to an earlier request with the key", "string"),
    "Retry-After": ("Seconds to wait before retrying", "integer"),
}
REQUEST_HEADERS = {
    "Accept-Language": "fi, sv or en (RFC 9110 ranges, q-values honoured); otherwise the service's default, fi",
    "Idempotency-Key": "A fresh unique key (e.g. a UUID) per intended action; resend it on retry",
    "If-Match": "The ETag you read; a stale one is a 412 and nothing changes",
    "If-None-Match": "The ETag you hold; a 304 when it is still current",
}


def server_url(settings: ServiceSettings) -> str:
    """The URL the service is reached at: ``public_url`` when set, else its own address."""
    return str(settings.public_url).rstrip("/") if settings.public_url else f"http://{settings.host}:{settings.port}"


def build_openapi(
    title: str,
    version: str,
    endpoints: Sequence[Endpoint],
    *,
    servers: Sequence[str] = ("/",),
    page_limits: PageLimits | None = None,
) -> dict[str, Any]:
    """Describe every endpoint, its models, access, conventions and error responses.
    Two routes declaring one ``operation_id`` is an error (a generator needs them unique)."""
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA, "FieldError": FIELD_ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for e in endpoints:
        op = _operation(e, schemas, page_limits)
        declared = e.conventions.operation_id
        if declared is not None and declared in taken:
            raise ValueError(f"operation_id {declared!r} is declared twice")
        op["operationId"] = declared if declared is not None else _unique(e.handler.__name__, taken)
        taken.add(op["operationId"])
        paths.setdefault(e.openapi_path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": url} for url in servers],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def schema_of(tp: Any, mode: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``tp``: a ``$ref`` for a model (its definitions added to ``schemas``)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        refs, defs = models_json_schema([(tp, mode)], ref_template=REF)  # type: ignore[list-item]
        schemas.update(defs.get("$defs", {}))
        return dict(refs[(tp, mode)])  # type: ignore[index]
    schema = TypeAdapter(tp).json_schema(ref_template=REF, mode=mode, schema_generator=GenerateJsonSchema)  # type: ignore[arg-type]
    schemas.update(schema.pop("$defs", {}))
    return schema


def _operation(e: Endpoint, schemas: dict[str, Any], page_limits: PageLimits | None) -> dict[str, Any]:
    declared = e.conventions
    description = (declared.description.strip() + "\n\n" if declared.description else "") + "**Who may call:** "
    op: dict[str, Any] = {
        "summary": e.summary,
        "description": description + e.access.describe(),
        "tags": [e.tag] if e.tag else [],
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": _path_schema(declared.path_patterns, p)}
            for p in e.path_params
        ],
        "responses": {},
    }
    op["parameters"] += _query_parameters(e, schemas, page_limits) + _header_parameters(e)
    if e.body is not None:
        media: dict[str, Any] = {"schema": schema_of(e.body, "validation", schemas)}
        if declared.request_example is not None:
            media["examples"] = {"default": {"value": _plain(declared.request_example)}}
        op["requestBody"] = {"required": True, "content": {"application/json": media}}
    op["responses"].update(_success(e, schemas))
    for code in sorted(_error_codes(e)):
        op["responses"][str(code)] = {
            "description": STATUS_TEXT.get(code, "Error"),
            "headers": _headers("Content-Language", *(["Retry-After"] if code in (409, 429, 503) else [])),
            "content": {"application/problem+json": {"schema": PROBLEM_REF}},
        }
    if not e.access.public:
        op["security"] = [{"bearer": []}]
    return op


def _path_schema(patterns: tuple[tuple[str, str], ...], name: str) -> dict[str, Any]:
    pattern = dict(patterns).get(name)
    return {**PATH_VALUE, **({"pattern": pattern} if pattern else {})}


def _query_parameters(e: Endpoint, schemas: dict[str, Any], page_limits: PageLimits | None) -> list[dict[str, Any]]:
    if e.query is None:
        return []
    refs, defs = models_json_schema([(e.query, "validation")], ref_template=REF)
    all_defs = dict(defs.get("$defs", {}))
    own = all_defs.pop(refs[(e.query, "validation")]["$ref"].rsplit("/", 1)[-1])
    schemas.update(all_defs)  # enums and models the parameters name
    parameters = []
    for name, fld in e.query.model_fields.items():
        alias = fld.alias or name
        schema = dict(own["properties"][alias])
        schema.pop("title", None)
        description = schema.pop("description", None)
        if issubclass(e.query, PageQuery) and name == "limit" and page_limits is not None:
            schema = {"type": "integer", "minimum": 1, "maximum": page_limits.max, "default": page_limits.default}
        parameters.append(
            {
                "name": alias,
                "in": "query",
                "required": fld.is_required(),
                "schema": schema,
                **({"description": description} if description else {}),
            }
        )
    return parameters


def _header_parameters(e: Endpoint) -> list[dict[str, Any]]:
    declared = e.conventions
    names = []
    if declared.localized == "negotiated":
        names.append("Accept-Language")
    if declared.idempotent:
        names.append("Idempotency-Key")
    if declared.conditional:
        names.append("If-Match")
    if declared.etag is not None and e.method == "GET":
        names.append("If-None-Match")
    return [
        {"name": n, "in": "header", "required": False, "description": REQUEST_HEADERS[n], "schema": {"type": "string"}}
        for n in names
    ]


def _success(e: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    declared = e.conventions
    names = ["Cache-Control"]
    names += ["ETag"] if declared.etag is not None else []
    names += ["Location"] if declared.location is not None else []
    names += ["Content-Language"] if declared.localized is not None else []
    names += ["Idempotent-Replayed"] if declared.idempotent else []
    headers = _headers(*names)
    for name in ("ETag", "Location"):
        if name in headers:
            headers[name]["required"] = True
    if e.response is None:
        return {str(e.status if e.status != 200 else 204): {"description": "Done", "headers": headers}}
    media: dict[str, Any] = {"schema": schema_of(e.response, "serialization", schemas)}
    if declared.response_example is not None:
        media["examples"] = {"default": {"value": _plain(declared.response_example)}}
    success = {str(e.status): {"description": "OK", "headers": headers, "content": {"application/json": media}}}
    if declared.etag is not None and e.method == "GET":
        success["304"] = {"description": STATUS_TEXT[304], "headers": _headers("ETag", "Cache-Control")}
    return success


def _error_codes(e: Endpoint) -> set[int]:
    codes = set(e.errors) | {422}  # every route refuses unknown query parameters
    if e.body is not None or e.query is not None or e.path_params:
        codes |= {400}  # unreadable JSON, or a path value no id has (control characters, overlong)
    if e.body is not None:
        codes |= {413, 415}
    if not e.access.public:
        codes |= {401, 403}
    if e.conventions.idempotent:
        codes |= {409}
    if e.conventions.conditional:
        codes |= {400, 412}
    return codes


def _headers(*names: str) -> dict[str, Any]:
    return {n: {"description": HEADERS[n][0], "schema": {"type": HEADERS[n][1]}} for n in names}


def _plain(example: Any) -> Any:
    return TypeAdapter(Any).dump_python(example, mode="json")


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... for routes that declare no ``operation_id``
    yet (``testing.contract.assert_routes_documented`` fails those)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


DOCS_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script>
</body></html>"""


def openapi_routes(document: dict[str, Any]) -> list[web.RouteDef]:
    """``GET /openapi.json`` and a readable ``GET /docs`` page."""

    async def spec(_: web.Request) -> web.Response:
        return web.json_response(document)

    async def docs(_: web.Request) -> web.Response:
        return web.Response(text=DOCS_HTML.format(title=document["info"]["title"]), content_type="text/html")

    return [web.get("/openapi.json", public(spec)), web.get("/docs", public(docs))]
