"""The month-end command starts without the web, broker and tracing stacks: each of the
Indexed Job's workers pays its imports once, and these are the heavy ones it never uses."""

import json
import subprocess
import sys

HEAVY = ("aiohttp", "aio_pika", "aiormq", "opentelemetry.sdk", "opentelemetry.exporter", "jwt", "prometheus_client")


def test_month_end_command_imports_no_http_broker_or_tracing_stack() -> None:
    probe = (
        "import json, sys, plussa_points.commands.month_end; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    assert json.loads(loaded.stdout) == []
