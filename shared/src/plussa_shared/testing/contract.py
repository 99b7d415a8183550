"""Holding every service to its OpenAPI document, from its own tests.

``Contract(document).check_response(resp)`` fails a real answer whose status, headers or
JSON body the document does not describe (JSON Schema 2020-12, the dialect of OpenAPI
3.1, with formats checked). ``assert_routes_documented(app)`` fails a route without a
declared operationId, description or examples, or whose examples break its own schema.
``ResponseRecorder`` checks every answer a test's clients receive, across services.
"""

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from plussa_shared.keys import ENDPOINTS, OPENAPI
from plussa_shared.routing import Endpoint

ROOT_ID = "urn:plussa:openapi"


class Contract:
    """The operations of one OpenAPI document, matched by method and concrete path."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": ROOT_ID, **document}
        self._paths = [
            (re.compile("^" + "[^/]+".join(map(re.escape, re.split(r"{[^/}]+}", template))) + "$"), item)
            for template, item in document.get("paths", {}).items()
        ]

    @classmethod
    def of(cls, app: web.Application) -> "Contract":
        """The contract of a service app built by ``create_service_app``."""
        return cls(app[OPENAPI])

    def operation(self, method: str, path: str) -> Mapping[str, Any]:
        """The documented operation for ``method`` on the concrete ``path``."""
        for pattern, item in self._paths:
            if pattern.match(path) and method.lower() in item:
                return dict(item[method.lower()])
        raise AssertionError(f"{method} {path} is not in the document")

    def errors_of(self, instance: Any, schema: Mapping[str, Any]) -> list[str]:
        """Where ``instance`` breaks ``schema`` (refs resolved in the document)."""
        root = {**self._root, "allOf": [schema]}
        validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return [_describe(e) for e in validator.iter_errors(instance)]

    def check(self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> Any:
        """Fail unless the answer is documented: its status, required headers, media type
        and body. Returns the parsed JSON body (or None)."""
        operation = self.operation(method, path)
        responses = operation["responses"]
        spec = responses.get(str(status)) or responses.get("default")
        if spec is None:
            raise AssertionError(f"{method} {path}: status {status} is not documented (has {sorted(responses)})")
        missing = [n for n, h in spec.get("headers", {}).items() if h.get("required") and n not in headers]
        if missing:
            raise AssertionError(f"{method} {path} {status}: required headers missing: {missing}")
        content = spec.get("content")
        if not content:
            if body:
                raise AssertionError(f"{method} {path} {status}: documented without a body, got {body[:200]!r}")
            return None
        media_type = headers.get("Content-Type", "").split(";")[0].strip()
        if media_type not in content:
            raise AssertionError(f"{method} {path} {status}: {media_type!r} is not one of {sorted(content)}")
        parsed = json.loads(body)
        problems = self.errors_of(parsed, content[media_type].get("schema", {}))
        if problems:
            raise AssertionError(f"{method} {path} {status} breaks its schema: " + "; ".join(problems))
        return parsed

    async def check_response(self, resp: aiohttp.ClientResponse) -> Any:
        """``check`` a response of the test client; returns its parsed JSON body."""
        body = await resp.read()
        return self.check(resp.method, resp.url.path, resp.status, resp.headers, body)


class ResponseRecorder:
    """Checks every response the test clients it made receive against the OpenAPI
    document of the service that answered: an answer whose route, status, headers or
    body the document does not describe is recorded, and ``assert_all_documented`` fails
    listing them all.

    ``client = await responses.client(aiohttp_client, app)`` in place of
    ``await aiohttp_client(app)``.
    """

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.failures: list[str] = []
        self._contracts: dict[str, Contract] = {}
        self.trace_config = aiohttp.TraceConfig()
        self.trace_config.on_request_end.append(self._on_request_end)

    async def client(self, aiohttp_client: Callable[..., Awaitable[Any]], app: web.Application) -> Any:
        """A test client of ``app`` whose every response is checked against ``app``'s document."""
        made = await aiohttp_client(app, trace_configs=[self.trace_config])
        self._contracts[_origin(made.make_url("/"))] = Contract.of(app)
        return made

    async def _on_request_end(
        self, _: aiohttp.ClientSession, __: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        contract = self._contracts.get(_origin(params.url))
        label = f"{params.method} {params.url.path} -> {params.response.status}"
        if contract is None:
            self.failures.append(f"{label}: no OpenAPI document for {_origin(params.url)}")
            return
        # Read here, before the test sees the response; the body stays cached for it.
        body = await params.response.read()
        try:
            contract.check(params.method, params.url.path, params.response.status, params.response.headers, body)
        except (AssertionError, ValueError) as exc:
            self.failures.append(f"{label}: {exc}")
        else:
            self.checked.append(label)

    def assert_all_documented(self) -> None:
        """Fail listing every response its service's document does not describe."""
        if self.failures:
            raise AssertionError(
                f"{len(self.failures)} of {len(self.checked) + len(self.failures)} responses break their "
                "OpenAPI document:\n  " + "\n  ".join(self.failures)
            )


def _origin(url: Any) -> str:
    return f"{url.host}:{url.port}"


def assert_routes_documented(app: web.Application) -> None:
    """Fail listing every route of ``app`` whose documentation a BFF generator could not
    rely on: no declared ``operation_id`` or ``description``, a body or answer without an
    example, or an example that breaks the schema it illustrates."""
    contract = Contract.of(app)
    failures: list[str] = []
    for endpoint in app[ENDPOINTS]:
        failures += _undocumented(endpoint, contract)
    if failures:
        raise AssertionError("routes not documented well enough:\n  " + "\n  ".join(failures))


def _undocumented(e: Endpoint, contract: Contract) -> Sequence[str]:
    where = f"{e.method} {e.path}"
    declared = e.conventions
    failures = []
    if declared.operation_id is None:
        failures.append(f"{where}: declare operation_id")
    if not declared.description:
        failures.append(f"{where}: declare a description (what it does, what the fields mean)")
    if e.body is not None and declared.request_example is None:
        failures.append(f"{where}: declare request_example")
    if e.response is not None and declared.response_example is None:
        failures.append(f"{where}: declare response_example")
    operation = contract.operation(e.method, e.openapi_path)
    media = []
    if "requestBody" in operation:
        media.append(("request", operation["requestBody"]["content"]["application/json"]))
    for status, response in operation["responses"].items():
        if "application/json" in response.get("content", {}):
            media.append((status, response["content"]["application/json"]))
    for name, item in media:
        for example in item.get("examples", {}).values():
            for problem in contract.errors_of(example["value"], item["schema"]):
                failures.append(f"{where}: the {name} example breaks the schema: {problem}")
    return failures


def _describe(error: ValidationError) -> str:
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}"
