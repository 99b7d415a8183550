"""The domain base: error kinds and aggregates that record their events, without any I/O."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from plussa_shared.domain import Aggregate, DomainError, DuplicateError, ErrorKind
from plussa_shared.events import EventData


class ShelfMoved(EventData):
    event_type: ClassVar[str] = "fi.plussa.shelves.shelf.moved"
    shelf_id: str
    room: str


class BookNotFoundError(DomainError):
    kind = ErrorKind.NOT_FOUND
    slug = "book-not-found"
    title = "Book not found"


@dataclass
class Shelf(Aggregate):
    shelf_id: str
    room: str

    def move(self, room: str, at: datetime) -> None:
        self.room = room
        self.record(ShelfMoved(shelf_id=self.shelf_id, room=room), f"shelf/{self.shelf_id}", at)


@dataclass(frozen=True)
class Label(Aggregate):
    text: str


def test_an_aggregate_hands_over_its_recorded_events_once_in_the_order_they_happened() -> None:
    shelf = Shelf("s1", "hall")
    at = datetime(2026, 3, 1, tzinfo=UTC)
    shelf.move("kitchen", at)
    shelf.move("attic", at)

    pulled = shelf.pull_events()

    assert [(e.data, e.subject, e.at) for e in pulled] == [
        (ShelfMoved(shelf_id="s1", room="kitchen"), "shelf/s1", at),
        (ShelfMoved(shelf_id="s1", room="attic"), "shelf/s1", at),
    ]
    assert pulled[0].order < pulled[1].order
    assert shelf.pull_events() == []


def test_recording_events_does_not_change_what_an_aggregate_equals() -> None:
    moved, still = Shelf("s1", "hall"), Shelf("s1", "hall")
    moved.record(ShelfMoved(shelf_id="s1", room="hall"), "shelf/s1")
    assert moved == still
    assert len(moved.recorded_events) == 1


def test_a_frozen_aggregate_records_events_too() -> None:
    label = Label("fragile")
    label.record(ShelfMoved(shelf_id="s1", room="hall"), "label/fragile")
    assert [e.subject for e in label.pull_events()] == ["label/fragile"]


def test_a_domain_error_carries_its_kind_slug_detail_and_extras() -> None:
    error = BookNotFoundError("No book b1 on this shelf", shelf_id="s1")
    assert (error.kind, error.problem_slug, error.detail, error.extras) == (
        ErrorKind.NOT_FOUND,
        "book-not-found",
        "No book b1 on this shelf",
        {"shelf_id": "s1"},
    )
    assert str(error) == "No book b1 on this shelf"


def test_a_domain_error_without_detail_repeats_its_title_and_may_override_its_slug() -> None:
    error = BookNotFoundError(slug="shelf-not-found")
    assert (error.detail, error.problem_slug, error.extras) == ("Book not found", "shelf-not-found", {})


def test_a_twice_clashing_write_is_a_conflict_named_duplicate() -> None:
    assert (DuplicateError.kind, DuplicateError.slug) == (ErrorKind.CONFLICT, "duplicate")
