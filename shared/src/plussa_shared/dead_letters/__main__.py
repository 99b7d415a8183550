"""``python -m plussa_shared.dead_letters --service points list``: see and replay a
service's dead letters on the broker.

The service's own settings name the broker and the queues (``PLUSSA_POINTS_AMQP_URL``,
``PLUSSA_POINTS_AMQP_QUEUE_PREFIX``...), so the tool runs wherever the service does.

  list                           reason, type, subject and age of each, with a short id
  show ID                        one of them in full (headers and body)
  replay ID                      send it back to the service's queue
  replay --reason R --type T     every one with that reason and/or type
  replay --all                   every one
  purge [--yes]                  remove them all (asks first unless --yes)
"""

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TextIO

from aio_pika.exceptions import ChannelNotFoundEntity

from plussa_shared.dead_letters import DeadLetter, Selector, dead_letter_queue
from plussa_shared.settings import ServiceSettings

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class UsageError(Exception):
    """The command line asked for something that cannot be done; the message says why."""


def service_settings(service: str) -> ServiceSettings:
    """The settings ``service`` runs with: its ``PLUSSA_<SERVICE>_`` environment."""
    if not SERVICE_NAME.match(service):
        raise UsageError(f"not a service name: {service!r}")
    return ServiceSettings(_env_prefix=f"PLUSSA_{service.upper()}_", service_name=service)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m plussa_shared.dead_letters",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--service", required=True, help="the service whose dead letters to see (points, cards...)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the dead letters")
    show = commands.add_parser("show", help="show one dead letter in full")
    show.add_argument("id", help="its short id (or event id, or a prefix of either)")
    replay = commands.add_parser("replay", help="send dead letters back to the service's queue")
    replay.add_argument("id", nargs="?", help="the one to replay")
    replay.add_argument("--reason", help="replay every one with this reason")
    replay.add_argument("--type", dest="event_type", help="replay every one of this event type")
    replay.add_argument("--all", action="store_true", help="replay every one")
    purge = commands.add_parser("purge", help="remove every dead letter")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser.parse_args(argv)


def replay_selector(args: argparse.Namespace) -> Selector:
    """Which dead letters ``replay`` takes; exactly one way of choosing is allowed."""
    ways = sum([args.id is not None, bool(args.reason or args.event_type), args.all])
    if ways != 1:
        raise UsageError("replay needs exactly one of: an ID, --reason and/or --type, --all")
    if args.all:
        return lambda _: True
    if args.id is not None:
        ref = str(args.id)
        return lambda letter: letter.matches(ref)
    return lambda letter: (args.reason in (None, letter.reason)) and (args.event_type in (None, letter.event_type))


def age_text(age: timedelta | None) -> str:
    """``42s``, ``7m``, ``3h``, ``12d``."""
    if age is None:
        return "?"
    seconds = max(int(age.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def table(letters: list[DeadLetter], now: datetime) -> str:
    """The dead letters as aligned columns."""
    rows = [("ID", "AGE", "REASON", "TYPE", "SUBJECT", "REPLAYS")]
    rows += [(d.short_id, age_text(d.age(now)), d.reason, d.event_type, d.subject, str(d.replays)) for d in letters]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def details(letter: DeadLetter, now: datetime) -> str:
    """One dead letter in full."""
    try:
        body = json.dumps(json.loads(letter.body), indent=2, ensure_ascii=False)
    except ValueError:
        body = letter.body.decode(errors="replace")
    lines = [
        f"id:          {letter.short_id}",
        f"event id:    {letter.event_id}",
        f"type:        {letter.event_type}",
        f"subject:     {letter.subject}",
        f"routing key: {letter.routing_key}",
        f"reason:      {letter.reason}",
        f"detail:      {letter.detail}",
        f"dead since:  {letter.dead_at.isoformat() if letter.dead_at else '?'} ({age_text(letter.age(now))} ago)",
        f"replays:     {letter.replays}",
        "headers:",
        *(f"  {key}: {value}" for key, value in sorted(letter.headers.items())),
        "body:",
        body,
    ]
    return "\n".join(lines)


async def run(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str]) -> int:
    """Do what the command line asks; the exit code."""
    settings = service_settings(args.service)
    now = datetime.now(UTC)
    async with dead_letter_queue(settings) as queue:
        if args.command == "list":
            letters = await queue.letters()
            out.write(table(letters, now) + f"\n{len(letters)} dead letter(s) in {queue.names.dead}\n")
        elif args.command == "show":
            [letter] = await _one(queue.letters(), args.id)
            out.write(details(letter, now) + "\n")
        elif args.command == "replay":
            select = replay_selector(args)
            if args.id is not None:  # one message: the id must name exactly one
                [letter] = await _one(queue.letters(), args.id)
                select = lambda candidate: candidate.short_id == letter.short_id  # noqa: E731
            replayed = await queue.replay(select)
            for letter in replayed:
                out.write(f"replayed {letter.short_id} {letter.event_type} {letter.subject}\n")
            out.write(f"{len(replayed)} dead letter(s) sent back to {queue.names.main}\n")
        else:
            answer = "y" if args.yes else ask(f"Remove every dead letter in {queue.names.dead}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                out.write("nothing removed\n")
                return 1
            out.write(f"{await queue.purge()} dead letter(s) removed from {queue.names.dead}\n")
    return 0


async def _one(letters: Awaitable[list[DeadLetter]], ref: str) -> list[DeadLetter]:
    """The one dead letter ``ref`` names; an error when it names none or several."""
    matching = [d for d in await letters if d.matches(ref)]
    if not matching:
        raise UsageError(f"no dead letter matches {ref!r}")
    if len(matching) > 1:
        ids = ", ".join(d.short_id for d in matching)
        raise UsageError(f"{len(matching)} dead letters match {ref!r} ({ids}); give one of their short ids")
    return matching


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, ask: Callable[[str], str] = input) -> int:
    """Command line entry point."""
    args = parse_args(argv)
    try:
        return asyncio.run(run(args, out, ask))
    except UsageError as exc:
        out.write(f"error: {exc}\n")
        return 2
    except ChannelNotFoundEntity as exc:
        out.write(f"error: no such queue on the broker (has the service run with these settings?): {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
