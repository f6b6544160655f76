"""Save log entries from many processes at once and check that none goes missing.

    python bench/writers.py --database-url sqlite:////tmp/w/1.sqlite \\
        --processes 16 --seconds 60 [--people N] [--json out.json]

The database must hold the data of `flask --app wsgi bench-data` and be migrated
to the code's head. Each process builds the app and, until the time is up, saves
log entries as the log form's view does: the form's fields, the logbook service,
the dashboards' roll-up listener, one commit per entry and the read of the entry
for the flash message after it. Each entry is named after its process and number.
Process n writes as the n-th bench person (`--people` fewer than the processes
makes them share people, and so roll-up weeks). Afterwards the entries are
counted: lost ones were committed but are absent, phantom ones are present but
were reported as failed (the request broke after its commit). The exit status is
1 when there was an error, a lost or phantom entry, or a roll-up week that
disagrees with its entries.
"""

import argparse
import json
import multiprocessing
import os
import queue
import re
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import flash
from sqlalchemy import select

from hcimv_lc import PROJECT_ROOT, create_app
from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Membership
from hcimv_lc.dashboards.models import ActivityWeek
from hcimv_lc.dashboards.rollup import monday
from hcimv_lc.extensions import db
from hcimv_lc.logbook import service
from hcimv_lc.logbook.forms import LogEntryForm
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.logbook.views import entry_fields, prepare

# Building the app in a fresh process takes a few seconds; a stuck one must not hang.
START_TIMEOUT = 120


def app_for(database_url: str):
    """Return the app against this database, quiet unless something goes wrong."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    # An info line per entry from every process would drown the summary.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return create_app()


def check_schema() -> None:
    """Stop unless the database has every migration the code expects."""
    expected = set(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != expected:
        raise SystemExit(
            f"The database is at {sorted(current)}, the code expects "
            f"{sorted(expected)}: run `flask --app wsgi db upgrade` on it first."
        )


def new_run(kind: str) -> str:
    """Return a name for this run that no earlier run of the database has."""
    return f"bench-{kind}-{secrets.token_hex(3)}"


def entry_name(run: str, writer: int, number: int) -> str:
    return f"{run} w{writer} #{number}"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    community_id: int


@dataclass(frozen=True)
class Job:
    """What every writer process is given: where, under which name, how long."""

    database_url: str
    run: str
    seconds: float


class AfterCommitError(Exception):
    """The entry was committed, but the request failed after that."""


def bench_people(count: int) -> list[Person]:
    """Return bench people who are members of a community, by id."""
    # The three personas come first in the data; ordinary participants follow them.
    query = (
        select(User.id, User.email, Membership.community_id)
        .join(Membership, Membership.user_id == User.id)
        .where(User.email.like("bench%@example.org"), User.email.notlike("bench-%"))
        .order_by(User.id)
        .limit(count)
    )
    people = [Person(*row) for row in db.session.execute(query)]
    if len(people) < count:
        raise SystemExit(f"The database has {len(people)} bench people, not {count}.")

    return people


def form_fields(what: str, community_id: int) -> dict[str, str]:
    """Return the fields a browser sends when the quick log form is filled in."""
    return {
        "what": what,
        "quick_minutes": "30",
        "minutes": "",
        "kind": "informal",
        "reflection": "Geleerd: **samen** inregelen gaat sneller.",
        "date": date.today().isoformat(),
        "subtype": "on_the_job",
        "community": str(community_id),
        "challenge": "0",
        "visibility": "community",
    }


def save_entry(app, user_id: int, fields: dict[str, str]) -> None:
    """Save one log entry through the log form's view code, in a request of its own."""
    # A POST request makes the SQLite engine begin IMMEDIATE, as it does for the view;
    # leaving the request removes the session, which rolls back a failed write.
    with app.test_request_context("/log/new", method="POST", data=fields):
        user = db.session.get(User, user_id)
        form = LogEntryForm(meta={"csrf": False})
        prepare(form, user)
        if not form.validate():
            raise ValueError(f"the log form refused the entry: {form.errors}")

        entry = service.create_entry(user, **entry_fields(form))
        what = entry.what
        db.session.commit()
        try:
            # As the view does: the flash message uses what was read before the commit.
            flash(f"Vastgelegd: {what}", "success")
        except Exception as error:
            raise AfterCommitError from error


def error_name(error: Exception) -> str:
    """Name an error by its type, its message and the statement that raised it."""
    if isinstance(error, AfterCommitError):
        return "after the commit, " + error_name(error.__cause__)

    message = (str(getattr(error, "orig", None) or error).strip() or "-").splitlines()
    statement = " ".join((getattr(error, "statement", None) or "").split())[:60]
    where = f" in {statement!r}" if statement else ""
    return f"{type(error).__name__}: {message[0][:120]}{where}"


def write(number: int, job: Job, person: Person, ready, start, results) -> None:
    """Save entries until the time is up; report which were committed."""
    app = app_for(job.database_url)
    ready.put(number)
    start.wait()

    committed, errors, longest = [], Counter(), {}
    deadline = time.monotonic() + job.seconds
    sequence = 0
    while time.monotonic() < deadline:
        fields = form_fields(entry_name(job.run, number, sequence), person.community_id)
        began = time.monotonic()
        try:
            save_entry(app, person.id, fields)
        except Exception as error:
            kind = error_name(error)
            errors[kind] += 1
            longest[kind] = max(longest.get(kind, 0), time.monotonic() - began)
        else:
            committed.append(sequence)
        sequence += 1

    results.put(
        {
            "process": number,
            "committed": committed,
            "errors": {kind: [count, longest[kind]] for kind, count in errors.items()},
        }
    )


def saved_entries(run: str) -> dict[int, Counter]:
    """Return, per writer, how often each numbered entry of the run is stored."""
    pattern = re.compile(rf"{re.escape(run)} w(\d+) #(\d+)$")
    found: dict[int, Counter] = defaultdict(Counter)
    for what in db.session.scalars(
        select(LogEntry.what).where(LogEntry.what.like(f"{run} w%"))
    ):
        match = pattern.match(what)
        if match:
            found[int(match[1])][int(match[2])] += 1
    return found


def compare(
    reported: dict[int, list[int]], found: dict[int, Counter]
) -> tuple[int, int]:
    """Return (lost, phantom): committed but absent, present but never committed."""
    lost = phantom = 0
    for process in set(reported) | set(found):
        committed = Counter(reported.get(process, []))
        stored = found.get(process, Counter())
        lost += sum((committed - stored).values())
        phantom += sum((stored - committed).values())
    return lost, phantom


def rollup_mismatches(author_ids: list[int]) -> int:
    """Return how many roll-up weeks of these people disagree with their entries."""
    expected: Counter = Counter()
    entries = select(LogEntry.author_id, LogEntry.community_id, LogEntry.date).where(
        LogEntry.author_id.in_(author_ids)
    )
    for author_id, community_id, day in db.session.execute(entries):
        expected[(author_id, community_id, monday(day))] += 1

    weeks = select(
        ActivityWeek.author_id,
        ActivityWeek.community_id,
        ActivityWeek.week_start,
        ActivityWeek.entries,
    ).where(ActivityWeek.author_id.in_(author_ids))
    actual = {
        (author_id, community_id, week): count
        for author_id, community_id, week, count in db.session.execute(weeks)
    }
    keys = set(expected) | set(actual)
    return sum(1 for key in keys if expected.get(key, 0) != actual.get(key, 0))


def run_writers(database_url: str, processes: int, seconds: float, people: int) -> dict:
    """Run the writer processes and return the figures of the run."""
    app = app_for(database_url)
    with app.app_context():
        check_schema()
        chosen = bench_people(people)
        engine = db.engine.dialect.name

    # Spawned processes build their own app and engine; none inherits a connection.
    context = multiprocessing.get_context("spawn")
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    job = Job(database_url, new_run("writes"), seconds)
    workers = [
        context.Process(
            target=write, args=(n, job, chosen[n % people], ready, start, results)
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=START_TIMEOUT)
    except queue.Empty:
        for worker in workers:
            worker.terminate()
        raise SystemExit(
            f"Not every writer started within {START_TIMEOUT} s."
        ) from None

    began = time.monotonic()
    start.set()
    reports = []
    for _ in workers:
        try:
            reports.append(results.get(timeout=seconds + START_TIMEOUT))
        except queue.Empty:
            break
    elapsed = time.monotonic() - began
    for worker in workers:
        worker.join(timeout=10)

    reported = {report["process"]: report["committed"] for report in reports}
    errors: Counter = Counter()
    longest: dict[str, float] = {}
    for report in reports:
        for kind, (count, waited) in report["errors"].items():
            errors[kind] += count
            longest[kind] = max(longest.get(kind, 0), waited)
    with app.app_context():
        lost, phantom = compare(reported, saved_entries(job.run))
        mismatches = rollup_mismatches(sorted({person.id for person in chosen}))

    per_process = [len(committed) for committed in reported.values()] or [0]
    commits = sum(per_process)
    return {
        "engine": engine,
        "processes": processes,
        "seconds": seconds,
        "elapsed_seconds": round(elapsed, 1),
        "people": people,
        "run": job.run,
        "reported": len(reports),
        "commits": commits,
        "commits_per_process": {"min": min(per_process), "max": max(per_process)},
        "errors": sum(errors.values()),
        "error_kinds": {
            kind: {"count": count, "longest_seconds": round(longest[kind], 1)}
            for kind, count in errors.most_common()
        },
        "lost": lost,
        "phantom": phantom,
        "rollup_mismatches": mismatches,
        "writes_per_second": round(commits / elapsed, 1),
    }


def failed(result: dict) -> bool:
    return bool(
        result["errors"]
        or result["lost"]
        or result["phantom"]
        or result["rollup_mismatches"]
        or result["reported"] < result["processes"]
    )


def summary(result: dict) -> str:
    """Return the figures of a run as a few lines of text."""
    spread = result["commits_per_process"]
    lines = [
        f"{result['engine']}: {result['processes']} processes as {result['people']} "
        f"people for {result['elapsed_seconds']} s: {result['commits']} commits, "
        f"{result['writes_per_second']}/s ({spread['min']} to {spread['max']} a "
        f"process); {result['errors']} errors, {result['lost']} lost, "
        f"{result['phantom']} phantom, {result['rollup_mismatches']} roll-up weeks off"
    ]
    for kind, error in result["error_kinds"].items():
        lines.append(
            f"  {error['count']} x {kind}, longest {error['longest_seconds']} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--people", type=int, help="distinct people (default: one each)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    result = run_writers(
        args.database_url, args.processes, args.seconds, args.people or args.processes
    )
    print(summary(result))
    if result["reported"] < result["processes"]:
        print(f"  only {result['reported']} processes reported back")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)

    return 1 if failed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
