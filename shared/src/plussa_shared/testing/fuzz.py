"""Property-based fuzzing of a service's HTTP API from its own OpenAPI document
(schemathesis on Hypothesis), bounded so that it fits in the test run.

Each operation is called with generated valid data and with data that breaks its
schema, as every caller it names (a customer, a service with all scopes), and each
answer must be no 5xx, a documented status with its documented media type, headers and
body, and, for invalid input, a refusal (4xx). Every distinct failure is collected with
a ``curl`` line that repeats it, so one run reports all it found.
"""

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES_ENV = "PLUSSA_FUZZ_EXAMPLES"
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
Operation = APIOperation[Any, Any, Any, Any]


@dataclass(frozen=True)
class Caller:
    """Who calls: a label for the report and the headers that authenticate them."""

    label: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FuzzReport:
    """What one fuzz run did and found."""

    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    """One entry per distinct failure (operation, caller, mode, check): a ``curl`` line that repeats it."""
    ungenerated: list[str] = field(default_factory=list)
    """Operation, caller and mode where no case could be generated (no invalid form of its input exists)."""

    def describe(self) -> str:
        """The failures for people, one block each."""
        return "\n\n".join(f"{key}\n    {repeat}" for key, repeat in sorted(self.failures.items()))


def max_examples(default: int) -> int:
    """Examples per operation, caller and mode: ``PLUSSA_FUZZ_EXAMPLES`` or ``default``."""
    return int(os.environ.get(MAX_EXAMPLES_ENV, default))


def fuzz(
    document: dict[str, Any],
    base_url: str,
    callers: Callable[[Operation], Sequence[Caller]],
    *,
    examples: int,
    skip: Callable[[Operation], bool] = lambda _: False,
    order: Callable[[Operation], int] = lambda _: 0,
) -> FuzzReport:
    """Call every operation of ``document`` at ``base_url`` with ``examples`` generated
    cases per caller and generation mode (derandomized: the same cases on every run),
    in the document's order, except that a higher ``order`` comes later (an operation
    that ends the caller's session, say)."""
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=base_url)
    operations: list[Operation] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"the document has an operation schemathesis cannot read: {result.err()}")
        operations.append(result.ok())
    report = FuzzReport()
    with requests.Session() as session:
        for operation in sorted((op for op in operations if not skip(op)), key=order):
            for caller in callers(operation):
                for mode in MODES:
                    try:
                        _fuzz_one(operation, caller, mode, session, base_url, examples, report)
                    except Unsatisfiable:
                        report.ungenerated.append(f"{operation.label} as {caller.label} ({mode.value} data)")
    return report


def _fuzz_one(
    operation: Operation,
    caller: Caller,
    mode: GenerationMode,
    session: requests.Session,
    base_url: str,
    examples: int,
    report: FuzzReport,
) -> None:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case[Operation]) -> None:
        headers = {**dict(case.headers or {}), **caller.headers}
        try:
            response = case.call(base_url=base_url, session=session, headers=headers)
            report.calls += 1
            report.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as found:
            failures = list(found.exceptions) if isinstance(found, FailureGroup) else [found]
            for failure in failures:
                key = f"{operation.label} as {caller.label} ({mode.value} data): {failure.title}"
                if key not in report.failures:
                    first_line = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
                    report.failures[key] = f"{first_line}\n    {case.as_curl_command(headers=headers)}"

    run()
