#!/usr/bin/env python3
"""Check a journey's trail export from the TOP Onboarding Desk, outside the desk.

    python3 tools/verify_trail.py journey-42-trail.jsonl

Needs nothing but Python 3.11's standard library. It checks that every event of the journey
hashes to the hash it carries (SHA-256 over the previous hash and the event's fields as
canonical JSON), that each line's previous hash is the hash of the line before it, other
journeys' events included (they carry their hash only), and that the header's counts match
the lines. It prints the first event's previous hash and the last event's hash: compare them
with the desk's chain (``flask audit verify`` checks the chain itself) to tie the file to it.

Exit status: 0 when the file holds, 1 when it does not (the first fault is printed), 2 when it
cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys

HEX64 = re.compile(r"[0-9a-f]{64}")


class Broken(Exception):
    pass


def canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def verify(lines: list[str]) -> tuple[int, int, str, str]:
    """(events, links, first previous hash, last hash), or :class:`Broken` with the fault."""
    if not lines:
        raise Broken("the file is empty")
    header = _record(lines[0], 1)
    if header.get("kind") != "trail" or header.get("format") != 1:
        raise Broken("line 1 is not a trail header of format 1")
    journey_id = header.get("journey_id")
    events = links = 0
    prev = first_prev = kind = None
    last_id = 0
    for number, text in enumerate(lines[1:], start=2):
        record = _record(text, number)
        kind, event_id, digest = record.get("kind"), record.get("id"), record.get("hash")
        if not isinstance(event_id, int) or event_id <= last_id:
            raise Broken(f"line {number}: event ids must increase")
        if not isinstance(digest, str) or not HEX64.fullmatch(digest):
            raise Broken(f"line {number}: its hash is not a SHA-256")
        if kind == "link":
            if prev is None:
                raise Broken(f"line {number}: the trail must start with one of its own events")
            if set(record) != {"kind", "id", "hash"}:
                raise Broken(f"line {number}: another journey's event may carry its hash only")
            links += 1
        elif kind == "event":
            fields = record.get("fields")
            if not isinstance(fields, dict) or fields.get("journey_id") != journey_id:
                raise Broken(f"line {number}: not an event of journey {journey_id}")
            claimed_prev = record.get("prev_hash")
            if prev is None:
                if not isinstance(claimed_prev, str) or not HEX64.fullmatch(claimed_prev):
                    raise Broken(f"line {number}: its previous hash is not a SHA-256")
                first_prev = claimed_prev
            elif claimed_prev != prev:
                raise Broken(f"line {number}: its previous hash is not the line before's hash")
            recomputed = hashlib.sha256((claimed_prev + canonical(fields)).encode()).hexdigest()
            if recomputed != digest:
                raise Broken(f"line {number}: event {event_id}'s content does not match its hash")
            events += 1
        else:
            raise Broken(f"line {number}: unknown kind {kind!r}")
        prev, last_id = digest, event_id
    if kind != "event":
        raise Broken("the trail must end with one of its own events")
    if (events, links) != (header.get("events"), header.get("links")):
        raise Broken(
            f"the header promises {header.get('events')} events and {header.get('links')} "
            f"links; the file holds {events} and {links}"
        )
    return events, links, first_prev, prev


def _record(text: str, number: int) -> dict:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Broken(f"line {number} is not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise Broken(f"line {number} is not a JSON object")
    return record


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} TRAIL.jsonl", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            lines = [line for line in handle.read().split("\n") if line]
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {argv[1]}: {exc}", file=sys.stderr)
        return 2
    try:
        events, links, first_prev, last = verify(lines)
    except Broken as fault:
        print(f"FAILED: {fault}")
        return 1
    print(f"OK: {events} events of the journey, linked through {links} other events")
    print(f"chain before the first event: {first_prev}")
    print(f"chain after the last event:   {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
