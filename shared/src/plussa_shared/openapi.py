"""The OpenAPI 3.1 document, built from the same pydantic models the routes use."""

from collections.abc import Sequence
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from plussa_shared.routing import Endpoint, public

REF = "#/components/schemas/{model}"
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "The invalid fields of a 422 answer",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "code": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
STATUS_TEXT = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid fields",
    429: "Too many requests",
    503: "Unavailable",
}


def build_openapi(title: str, version: str, endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    """Describe every endpoint, its models, access and error responses."""
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}

    def schema_of(tp: Any, mode: str) -> dict[str, Any]:
        schema = TypeAdapter(tp).json_schema(ref_template=REF, mode=mode, schema_generator=GenerateJsonSchema)  # type: ignore[arg-type]
        schemas.update(schema.pop("$defs", {}))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            schemas[tp.__name__] = schema
            return {"$ref": REF.format(model=tp.__name__)}
        return schema

    operation_ids: set[str] = set()
    for e in endpoints:
        op: dict[str, Any] = {
            "summary": e.summary,
            "description": e.access.describe(),
            "operationId": _unique(e.handler.__name__, operation_ids),
            "tags": [e.tag] if e.tag else [],
            "parameters": [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in e.path_params
            ],
            "responses": {},
        }
        if e.query is not None:
            for name, fld in e.query.model_fields.items():
                op["parameters"].append(
                    {
                        "name": fld.alias or name,
                        "in": "query",
                        "required": fld.is_required(),
                        "schema": schema_of(fld.annotation or Any, "validation"),
                        **({"description": fld.description} if fld.description else {}),
                    }
                )
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema_of(e.body, "validation")}},
            }
        if e.response is not None:
            op["responses"][str(e.status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": schema_of(e.response, "serialization")}},
            }
        else:
            op["responses"][str(e.status if e.status != 200 else 204)] = {"description": "Done"}
        codes = set(e.errors)
        if e.body is not None or e.query is not None:
            codes |= {400, 422}
        if e.body is not None:
            codes |= {413, 415}
        if not e.access.public:
            codes |= {401, 403}
        for code in sorted(codes):
            op["responses"][str(code)] = {
                "description": STATUS_TEXT.get(code, "Error"),
                "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
            }
        if not e.access.public:
            op["security"] = [{"bearer": []}]
        paths.setdefault(e.openapi_path, {})[e.method.lower()] = op

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... when handlers of two tables share a name."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
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
