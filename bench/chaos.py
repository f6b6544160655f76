"""Kill gunicorn workers and stop PostgreSQL under load, and check what was saved.

    make chaos                  # all three runs, about 5 minutes, as root
    .venv/bin/python bench/chaos.py [--seconds 60] [--clients 32] [--json out.json]
        [--scenarios kill-sqlite kill-postgresql postgresql-down] [--keep]

Each run copies the 1x benchmark data (bench/data/1.sqlite, or the shared PostgreSQL
database hcimv_bench_1 dumped into a throwaway cluster of its own on port 5499;
both are filled as make bench fills them when missing or outdated),
starts gunicorn with gunicorn.conf.py and sync workers (at least 4), signs in one
bench person per client and has every client, until the time is up, load the home
page, the log, its community and a toolbox search, posting a log entry every third
request. Each answer is noted with its start and end.

- kill-sqlite, kill-postgresql: a worker is sent SIGKILL at a third and at two
  thirds of the time; gunicorn must start a new one. Only the requests in flight
  at a kill may fail.
- postgresql-down: the throwaway cluster is stopped at a quarter of the time for
  10 s and started again, while /healthz is polled every 0.5 s. It must answer
  503 with the database not ok while the cluster is down, and 200 again within
  --recovery-limit seconds of the start, without restarting gunicorn; every
  request after that must succeed. Errors during the outage are counted, with the
  kind of page the person saw: any other than the app's own error page fails.

In every run, each 303 to a log entry must have made exactly one row, and the
roll-up weeks must agree with the entries. A row whose request got no answer is a
phantom: reported, not a failure. The shared PostgreSQL server is only read (by
pg_dump); only the throwaway cluster is stopped, and it is dropped at the end
unless --keep. The exit status is 1 when a run fails, 2 when one could not run.
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from http_writers import (  # noqa: E402
    BenchError,
    Client,
    percentile,
    server_errors,
    start_server,
    stop_server,
)
from run import (  # noqa: E402
    DATA,
    POSTGRES,
    flask,
    free_port,
    migration_head,
    prepare,
    sqlite_copy,
)
from writers import (  # noqa: E402
    app_for,
    bench_people,
    check_schema,
    entry_name,
    form_fields,
    new_run,
    rollup_mismatches,
    saved_entries,
)

from hcimv_lc.bench_data import WORDS  # noqa: E402
from hcimv_lc.communities.models import Community  # noqa: E402
from hcimv_lc.extensions import db  # noqa: E402

SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"
CLUSTER = "chaos"
CLUSTER_PORT = 5499
CLUSTER_URL = f"postgresql://postgres@127.0.0.1:{CLUSTER_PORT}"
TEMPLATE = "chaos_template"
SCENARIOS = ("kill-sqlite", "kill-postgresql", "postgresql-down")
# A request began "at" a kill when it started before the signal went out; the
# margin covers the moment between noting the time and sending the signal.
KILL_MARGIN = 0.05
OUTAGE_SECONDS = 10
HEALTH_INTERVAL = 0.5
RESPAWN_TIMEOUT = 15
# The titles of the app's own 500 and 503 pages, in the default language (nl).
APP_ERROR_PAGES = ("Er ging iets mis", "Even niet bereikbaar")


@dataclass
class Answer:
    """One request of a client: when it ran and what came back."""

    client: int
    method: str
    page: str
    began: float
    ended: float
    status: int | None = None
    error: str = ""
    sequence: int | None = None
    acknowledged: bool = False


@dataclass
class Load:
    """The answers of all clients and the health checks, on one clock."""

    origin: float = field(default_factory=time.perf_counter)
    answers: list[Answer] = field(default_factory=list)
    health: list[dict] = field(default_factory=list)
    error_pages: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.perf_counter() - self.origin

    def add(self, answers: list[Answer], error_pages: dict[str, str]) -> None:
        with self.lock:
            self.answers.extend(answers)
            for page, kind in error_pages.items():
                self.error_pages.setdefault(page, kind)


def error_page_kind(body: str) -> str:
    """Say what a person sees on an error answer: the app's page, or something else."""
    if "Traceback" in body:
        return "a traceback"
    if any(title in body for title in APP_ERROR_PAGES):
        return "the app's error page"

    return "a bare page: " + " ".join(body.split())[:80]


def browse(client: Client, pages, run: str, deadline: float, load: Load) -> None:
    """Load the pages in turn and post a log entry every third request."""
    answers, error_pages = [], {}
    request = 0
    writes = 0
    while time.perf_counter() < deadline:
        if request % 3 == 2:
            method, path = "POST", "/log/new"
            fields = form_fields(
                entry_name(run, client.number, writes), client.person.community_id
            )
            fields["csrf_token"] = client.token
            answer = Answer(client.number, method, path, load.now(), 0, sequence=writes)
            writes += 1
        else:
            method, fields = "GET", None
            page, path = pages[request % len(pages)]
            answer = Answer(client.number, method, page, load.now(), 0)
        request += 1

        try:
            # A POST's flash message would pile up in the cookie without the GET
            # a browser makes after the 303, so its cookies are not kept.
            status, location, body = client.send(
                method, path, fields, keep_cookies=method == "GET"
            )
        except (OSError, http.client.HTTPException) as error:
            answer.error = type(error).__name__
        else:
            answer.status = status
            answer.acknowledged = (
                method == "POST" and status == 303 and "/login" not in location
            )
            if status >= 500:
                error_pages.setdefault(
                    f"{status} {method} {answer.page}", error_page_kind(body)
                )
        answer.ended = load.now()
        answers.append(answer)
    load.add(answers, error_pages)


def poll_health(port: int, deadline: float, load: Load) -> None:
    """Ask /healthz every half second and note each answer."""
    while time.perf_counter() < deadline:
        began = load.now()
        check = {"began": round(began, 2), "status": None, "database": None}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            check["status"] = response.status
            check["database"] = json.loads(response.read() or b"{}").get("database")
        except (OSError, http.client.HTTPException, ValueError) as error:
            check["error"] = type(error).__name__
        finally:
            connection.close()
        check["ended"] = round(load.now(), 2)
        load.health.append(check)
        time.sleep(max(0, HEALTH_INTERVAL - (load.now() - began)))


def workers_of(master: int) -> set[int]:
    """Return the pids of the gunicorn master's worker processes."""
    children = set()
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        children.update(int(pid) for pid in task.read_text().split())
    return children


def kill_worker(master: int, load: Load) -> dict:
    """Send SIGKILL to one worker and wait until gunicorn has replaced it."""
    before = workers_of(master)
    victim = random.choice(sorted(before))
    at = load.now()
    os.kill(victim, signal.SIGKILL)

    deadline = time.monotonic() + RESPAWN_TIMEOUT
    replaced_after = None
    while time.monotonic() < deadline:
        now = workers_of(master)
        if victim not in now and len(now) >= len(before):
            replaced_after = round(load.now() - at, 2)
            break
        time.sleep(0.05)
    return {"at": round(at, 2), "pid": victim, "replaced_after": replaced_after}


def cluster_command(action: str, *options: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", postgres_version(), CLUSTER, action, *options],
        check=True,
        capture_output=True,
    )


def stop_database(load: Load) -> dict:
    """Stop the throwaway cluster for a while and start it again."""
    outage = {"stop_began": round(load.now(), 2)}
    cluster_command("stop", "-m", "fast")
    outage["stopped"] = round(load.now(), 2)
    time.sleep(OUTAGE_SECONDS)
    outage["start_began"] = round(load.now(), 2)
    cluster_command("start")
    outage["started"] = round(load.now(), 2)
    return outage


def postgres_version() -> str:
    """Return the newest PostgreSQL version installed (Debian's /etc/postgresql)."""
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name))
    return versions[-1].name


def psql(url: str, statement: str) -> None:
    subprocess.run(["psql", url, "-qc", statement], check=True, capture_output=True)


def create_cluster() -> None:
    """Create and start the throwaway cluster, filled from the shared 1x data."""
    version = postgres_version()
    listed = subprocess.run(
        ["pg_lsclusters", "-h"], check=True, capture_output=True, text=True
    ).stdout
    if not any(line.split()[:2] == [version, CLUSTER] for line in listed.splitlines()):
        subprocess.run(
            [
                "pg_createcluster",
                version,
                CLUSTER,
                "--port",
                str(CLUSTER_PORT),
                "--start-conf=manual",
                "--",
                "--auth=trust",
            ],
            check=True,
            capture_output=True,
        )
    if not cluster_running():
        cluster_command("start")

    psql(f"{CLUSTER_URL}/postgres", f"DROP DATABASE IF EXISTS {TEMPLATE}")
    psql(f"{CLUSTER_URL}/postgres", f"CREATE DATABASE {TEMPLATE}")
    dump = subprocess.Popen(
        ["pg_dump", "--no-owner", f"{POSTGRES}/hcimv_bench_1"], stdout=subprocess.PIPE
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{CLUSTER_URL}/{TEMPLATE}"],
        stdin=dump.stdout,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if dump.wait() != 0:
        raise BenchError("pg_dump of hcimv_bench_1 failed")
    flask(f"{CLUSTER_URL}/{TEMPLATE}", "db", "upgrade")


def cluster_running() -> bool:
    status = subprocess.run(
        ["pg_ctlcluster", postgres_version(), CLUSTER, "status"], capture_output=True
    )
    return status.returncode == 0


def drop_cluster() -> None:
    subprocess.run(
        ["pg_dropcluster", postgres_version(), CLUSTER, "--stop"],
        check=False,
        capture_output=True,
    )


def fresh_database(scenario: str) -> str:
    """Return the URL of a new copy of the 1x data for one run."""
    if scenario == "kill-sqlite":
        url = sqlite_copy("chaos")
        flask(url, "db", "upgrade")
        return url

    name = "chaos_" + scenario.replace("-", "_")
    psql(f"{CLUSTER_URL}/postgres", f"DROP DATABASE IF EXISTS {name}")
    psql(f"{CLUSTER_URL}/postgres", f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return f"{CLUSTER_URL}/{name}"


def client_pages(people) -> dict[int, list[tuple[str, str]]]:
    """Return the pages each person loads, by name and path: home, log and so on."""
    slugs = dict(db.session.execute(select(Community.id, Community.slug)).all())
    return {
        person.id: [
            ("/", "/"),
            ("/log", "/log"),
            ("/communities/<slug>", f"/communities/{slugs[person.community_id]}"),
            ("/toolbox?q=", f"/toolbox?q={WORDS[1]}"),
        ]
        for person in people
    }


def run_scenario(scenario: str, args, log) -> dict:
    """Run the load on a fresh database with the scenario's disruption."""
    url = fresh_database(scenario)
    app = app_for(url)
    with app.app_context():
        check_schema()
        people = bench_people(args.clients)
        pages = client_pages(people)
        db.engine.dispose()

    run = new_run("chaos")
    started_at = datetime.now(UTC)
    port = free_port()
    settings = SimpleNamespace(port=port, workers=args.workers, threads=1)
    server = start_server(settings, url, log)
    events = []
    try:
        clients = [Client(n, port, person) for n, person in enumerate(people)]
        threads = [threading.Thread(target=client.sign_in) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        load = Load()
        deadline = load.origin + args.seconds
        threads = [
            threading.Thread(
                target=browse,
                args=(client, pages[client.person.id], run, deadline, load),
            )
            for client in clients
        ]
        threads.append(
            threading.Thread(target=poll_health, args=(port, deadline, load))
        )
        for thread in threads:
            thread.start()

        if scenario.startswith("kill"):
            for share in (1 / 3, 2 / 3):
                time.sleep(
                    max(0, load.origin + args.seconds * share - time.perf_counter())
                )
                events.append(kill_worker(server.pid, load))
        else:
            time.sleep(max(0, load.origin + args.seconds / 4 - time.perf_counter()))
            events.append(stop_database(load))
        for thread in threads:
            thread.join()
        elapsed = load.now()
        workers_at_end = len(workers_of(server.pid))
        server_alive = server.poll() is None
    finally:
        stop_server(server)
        if scenario == "postgresql-down" and not cluster_running():
            cluster_command("start")

    with app.app_context():
        found = saved_entries(run)
        mismatches = rollup_mismatches([person.id for person in people])
        db.engine.dispose()

    result = {
        "scenario": scenario,
        "engine": "sqlite" if scenario == "kill-sqlite" else "postgresql",
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "elapsed_seconds": round(elapsed, 1),
        "started_at": started_at.isoformat(timespec="seconds"),
        "server_restarted": not server_alive,
        "workers_at_end": workers_at_end,
        **answer_figures(load, elapsed),
        **write_figures(load.answers, found),
        "rollup_mismatches": mismatches,
        "error_pages": load.error_pages,
    }
    if scenario.startswith("kill"):
        result.update(kill_figures(load, events))
    else:
        result.update(outage_figures(load, events[0]))
    result["server_log"] = log.name
    result["server_errors"] = dict(server_errors(log.name).most_common(5))
    result["failures"] = failures(result, args)
    return result


def failed(answer: Answer) -> bool:
    return answer.error != "" or answer.status >= 500


def answer_figures(load: Load, elapsed: float) -> dict:
    """Count the answers by class, the connection errors and the latencies."""
    classes = Counter(
        answer.error or f"{answer.status // 100}xx" for answer in load.answers
    )
    latencies = [answer.ended - answer.began for answer in load.answers]
    return {
        "requests": len(load.answers),
        "answers": dict(sorted(classes.items())),
        "posts": sum(1 for answer in load.answers if answer.method == "POST"),
        "requests_per_second": round(len(load.answers) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "signed_out": sum(
            1
            for answer in load.answers
            if answer.method == "POST"
            and answer.status == 303
            and not answer.acknowledged
        ),
    }


def write_figures(answers: list[Answer], found: dict[int, Counter]) -> dict:
    """Compare the posted entries with the rows: lost, duplicated and phantom."""
    lost = duplicated = 0
    phantom: Counter = Counter()
    posted = defaultdict(set)
    for answer in answers:
        if answer.sequence is None:
            continue
        posted[answer.client].add(answer.sequence)
        rows = found.get(answer.client, Counter())[answer.sequence]
        duplicated += max(0, rows - 1)
        if answer.acknowledged and rows == 0:
            lost += 1
        elif not answer.acknowledged and rows:
            phantom[answer.error or f"after a {answer.status}"] += 1
    stray = sum(
        count
        for client, numbers in found.items()
        for number, count in numbers.items()
        if number not in posted[client]
    )
    return {
        "acknowledged": sum(1 for answer in answers if answer.acknowledged),
        "rows": sum(sum(numbers.values()) for numbers in found.values()),
        "lost": lost,
        "duplicated": duplicated,
        "phantom": dict(phantom),
        "stray_rows": stray,
    }


def kill_figures(load: Load, kills: list[dict]) -> dict:
    """Split the failed requests into those in flight at a kill and the others."""
    at_kill, other = Counter(), Counter()
    for answer in load.answers:
        if not failed(answer):
            continue
        kind = f"{answer.error or answer.status} {answer.method} {answer.page}"
        in_flight = any(
            answer.began <= kill["at"] + KILL_MARGIN and answer.ended >= kill["at"]
            for kill in kills
        )
        (at_kill if in_flight else other)[kind] += 1
    return {
        "kills": kills,
        "failed_in_flight_at_kill": dict(at_kill),
        "failed_otherwise": dict(other),
    }


def outage_figures(load: Load, outage: dict) -> dict:
    """Read the health checks and the answers before, during and after the outage."""
    down = [
        check
        for check in load.health
        if check["began"] >= outage["stopped"]
        and check["ended"] <= outage["start_began"]
    ]
    recovered = next(
        (
            check
            for check in load.health
            if check["began"] >= outage["started"] and check["status"] == 200
        ),
        None,
    )
    recovered_at = recovered["ended"] if recovered else None
    before = [answer for answer in load.answers if answer.ended < outage["stop_began"]]
    during = [
        answer
        for answer in load.answers
        if answer.ended >= outage["stop_began"]
        and (recovered_at is None or answer.began < recovered_at)
    ]
    after = (
        [answer for answer in load.answers if answer.began >= recovered_at]
        if recovered_at is not None
        else []
    )
    return {
        "outage": outage,
        "health_while_down": dict(
            Counter(
                f"{check['status'] or check.get('error')} database={check['database']}"
                for check in down
            )
        ),
        "health_503_while_down": sum(
            1 for check in down if check["status"] == 503 and check["database"] != "ok"
        ),
        "recovered_seconds_after_start": (
            round(recovered_at - outage["started"], 2) if recovered else None
        ),
        "failed_before_outage": sum(1 for answer in before if failed(answer)),
        "failed_during_outage": dict(
            Counter(
                f"{answer.error or answer.status} {answer.method} {answer.page}"
                for answer in during
                if failed(answer)
            )
        ),
        "requests_after_recovery": len(after),
        "failed_after_recovery": sum(1 for answer in after if failed(answer)),
    }


def failures(result: dict, args) -> list[str]:
    """Return why a run failed, or nothing when it passed."""
    reasons = []
    if result["lost"]:
        reasons.append(f"{result['lost']} acknowledged entries lost")
    if result["duplicated"] or result["stray_rows"]:
        reasons.append("entries stored twice or never posted")
    if result["rollup_mismatches"]:
        reasons.append(f"{result['rollup_mismatches']} roll-up weeks off")
    shown = set(result["error_pages"].values()) - {"the app's error page"}
    if shown:
        reasons.append(f"an error answer showed {' and '.join(sorted(shown))}")
    if result["server_restarted"] or result["workers_at_end"] < args.workers:
        reasons.append("gunicorn did not keep its workers")
    if result["scenario"].startswith("kill"):
        if result["failed_otherwise"]:
            reasons.append(
                f"requests failed away from a kill: {result['failed_otherwise']}"
            )
        if any(kill["replaced_after"] is None for kill in result["kills"]):
            reasons.append("a killed worker was not replaced")
        return reasons

    if not result["health_503_while_down"]:
        reasons.append("/healthz did not answer 503 while the database was down")
    recovery = result["recovered_seconds_after_start"]
    if recovery is None or recovery > args.recovery_limit:
        reasons.append(f"/healthz not 200 within {args.recovery_limit} s of the start")
    if result["failed_before_outage"] or result["failed_after_recovery"]:
        reasons.append("requests failed outside the outage")
    if not result["requests_after_recovery"]:
        reasons.append("no requests after the recovery")
    return reasons


def summary(result: dict) -> str:
    """Return the figures of one run as a few lines of text."""
    verdict = "FAILED: " + "; ".join(result["failures"]) if result["failures"] else "ok"
    lines = [
        f"{result['scenario']}: {result['clients']} clients, {result['workers']} "
        f"workers, {result['elapsed_seconds']} s: {result['requests']} requests "
        f"({result['requests_per_second']}/s, p50 {result['p50_ms']} ms, p95 "
        f"{result['p95_ms']} ms): {verdict}",
        f"  answers {result['answers']}",
        f"  writes: {result['posts']} posted, {result['acknowledged']} acknowledged, "
        f"{result['rows']} rows, {result['lost']} lost, {result['duplicated']} "
        f"duplicated, phantom {result['phantom'] or 0}, "
        f"{result['rollup_mismatches']} roll-up weeks off",
    ]
    if result["scenario"].startswith("kill"):
        for kill in result["kills"]:
            lines.append(
                f"  SIGKILL worker {kill['pid']} at {kill['at']} s, replaced after "
                f"{kill['replaced_after']} s"
            )
        lines.append(
            f"  failed in flight at a kill {result['failed_in_flight_at_kill'] or 0}, "
            f"otherwise {result['failed_otherwise'] or 0}"
        )
    else:
        outage = result["outage"]
        lines += [
            f"  cluster stopped {outage['stop_began']}-{outage['stopped']} s, started "
            f"{outage['start_began']}-{outage['started']} s",
            f"  /healthz while down: {result['health_while_down']}; 200 again "
            f"{result['recovered_seconds_after_start']} s after the start",
            f"  failed during the outage: {result['failed_during_outage'] or 0}",
            f"  before the outage {result['failed_before_outage']} failed; after the "
            f"recovery {result['failed_after_recovery']} of "
            f"{result['requests_after_recovery']} failed",
        ]
    for page, kind in result["error_pages"].items():
        lines.append(f"  {page} showed {kind}")
    for error, count in result["server_errors"].items():
        lines.append(f"  server: {count} x {error[:160]}")
    lines.append(f"  server log: {result['server_log']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, default=max(4, 2 * (os.cpu_count() or 1) + 1)
    )
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    parser.add_argument(
        "--recovery-limit", type=float, default=10, help="seconds to 200 after start"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the cluster")
    args = parser.parse_args(argv)

    # The production settings, as the app runs behind gunicorn; the key is the bench's.
    os.environ["HCIMV_ENV"] = "production"
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    DATA.mkdir(exist_ok=True)

    results = []
    needs_cluster = any(name != "kill-sqlite" for name in args.scenarios)
    try:
        # The same 1x data as make bench's, filled first when missing or outdated.
        head = migration_head()
        prepare("sqlite", 1, head)
        if needs_cluster:
            prepare("postgresql", 1, head)
            create_cluster()
        for scenario in args.scenarios:
            log_path = tempfile.mkstemp(prefix=f"chaos-{scenario}-", suffix=".log")[1]
            with open(log_path, "w", encoding="utf-8") as log:
                result = run_scenario(scenario, args, log)
            print(summary(result), flush=True)
            results.append(result)
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"The chaos run did not run: {error}", file=sys.stderr)
        return 2
    finally:
        if needs_cluster and not args.keep:
            drop_cluster()

    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)

    return 1 if any(result["failures"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
