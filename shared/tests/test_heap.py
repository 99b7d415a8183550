import gc
from collections.abc import Iterator

import pytest
from aiohttp import web

from plussa_shared import app as service_app
from plussa_shared.heap import YOUNG_THRESHOLD, settle_heap, settle_heap_on_startup
from plussa_shared.settings import ServiceSettings


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_what_a_started_service_holds_is_kept_out_of_collections_and_young_ones_are_spaced_wider() -> None:
    held = [[n] for n in range(1_000)]

    settle_heap()

    assert gc.get_freeze_count() >= len(held)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_a_service_run_settles_its_heap_once_started(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[web.Application] = []
    monkeypatch.setattr(service_app.web, "run_app", lambda app, **_: served.append(app))
    app = web.Application()

    service_app.run_service(ServiceSettings.model_construct(host="127.0.0.1", port=0), app)

    assert served == [app]
    assert app.on_startup[-1] is settle_heap_on_startup
