"""Every service's OpenAPI document, built from its routes as the service serves it at
``/openapi.json``, is valid OpenAPI 3.1 by openapi-spec-validator."""

from collections.abc import Callable
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from plussa_shared.bus_access import SERVICES
from plussa_shared.keys import OPENAPI


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_document_is_valid_openapi_3_1(service: str, service_app: Callable[..., Any]) -> None:
    document = service_app(service)[OPENAPI]

    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == f"Plussa {service}"


def test_a_document_with_a_broken_operation_fails_the_validator(service_app: Callable[..., Any]) -> None:
    document = service_app("cards")[OPENAPI]
    path = next(iter(document["paths"]))
    operation = next(iter(document["paths"][path].values()))
    operation["responses"] = {"200": {"content": {"application/json": {"schema": {"type": "nonsense"}}}}}

    assert list(OpenAPIV31SpecValidator(document).iter_errors()) != []
