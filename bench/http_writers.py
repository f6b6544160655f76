"""Post log entries over HTTP from many signed-in people and count what was stored.

    python bench/http_writers.py --database-url sqlite:////tmp/w/http.sqlite \\
        --clients 32 --seconds 60 [--port 8123] [--workers N --threads T] \\
        [--json out.json] [--server-log gunicorn.log]

The database must hold the data of `flask --app wsgi bench-data`. The script starts
gunicorn with the production settings of gunicorn.conf.py (workers and threads as
given; more than one thread means gthread workers), signs in one bench person per
client through the log-in form and has each client post the quick log form until
the time is up, each entry named after its client and number. Then it stops the
server and counts the entries of those people since the start: every 303 answer
must have made one row, and no other answer any. The exit status is 1 on a 5xx
answer, a failed connection, a lost or phantom entry, or a roll-up week that
disagrees with its entries.

The server runs with RATELIMIT_ENABLED=false: every client comes from 127.0.0.1,
so the limits per address (120 log entries an hour) would otherwise answer almost
everything with 429. The server's access and error log goes to --server-log, and
its tracebacks are printed at the end.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

from hcimv_lc import PROJECT_ROOT
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from writers import (  # noqa: E402
    Person,
    app_for,
    bench_people,
    check_schema,
    compare,
    entry_name,
    form_fields,
    new_run,
    rollup_mismatches,
    saved_entries,
)

CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "learning-together"
USER_AGENT = "hcimv-bench/http_writers"
# Flask logs each unhandled error as "Exception on <path> [<method>]" and a traceback.
UNHANDLED = re.compile(r"Exception on (\S+) \[(\w+)\]")
NEW_LOG_RECORD = re.compile(r"^(\d{4}-\d\d-\d\d |\[\d{4}-|127\.0\.0\.1 - )")
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception)\b")
REQUEST_TIMEOUT = 60
START_TIMEOUT = 60
STOP_TIMEOUT = 60


class BenchError(RuntimeError):
    """The benchmark could not run as set up."""


class Client:
    """One person's browser: a connection, its cookies and the log form's token."""

    def __init__(self, number: int, port: int, person: Person):
        self.number = number
        self.person = person
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_TIMEOUT
        )
        self.cookies: dict[str, str] = {}
        self.token = ""

    def send(self, method: str, path: str, fields=None, keep_cookies=True):
        """Return (status, location, body) of one request; the connection reopens."""
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"

        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise

        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                self.remember(header)
        return response.status, response.getheader("Location", ""), content

    def remember(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def sign_in(self) -> None:
        """Log in through the form, then read the CSRF token of the log form."""
        status, _location, page = self.send("GET", "/login")
        fields = {
            "email": self.person.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(page, "/login", status),
        }
        status, location, _page = self.send("POST", "/login", fields)
        if status != 303:
            raise BenchError(f"{self.person.email} could not log in: {status}")

        status, _location, page = self.send("GET", "/log/new")
        self.token = csrf_token(page, "/log/new", status)
        # Idle keep-alive connections may be closed by the server before the start.
        self.connection.close()


def csrf_token(page: str, path: str, status: int) -> str:
    match = CSRF_FIELD.search(page)
    if status != 200 or not match:
        raise BenchError(f"{path} answered {status} without a CSRF token")
    return match[1]


class Tally:
    """What the clients got back, gathered from all their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.transport_errors: Counter = Counter()
        self.latencies: list[float] = []
        self.created: dict[int, list[int]] = {}
        self.refusals: Counter = Counter()

    def add(self, client: int, created, statuses, errors, latencies, refusals):
        with self.lock:
            self.created[client] = created
            self.statuses.update(statuses)
            self.transport_errors.update(errors)
            self.latencies.extend(latencies)
            self.refusals.update(refusals)


def post_entries(client: Client, run: str, deadline: float, tally: Tally) -> None:
    """Post log entries until the deadline, noting each answer and its time."""
    created, statuses, errors, refusals = [], Counter(), Counter(), Counter()
    latencies = []
    sequence = 0
    while time.perf_counter() < deadline:
        name = entry_name(run, client.number, sequence)
        fields = form_fields(name, client.person.community_id)
        fields["csrf_token"] = client.token
        began = time.perf_counter()
        try:
            # A browser would follow the 303 home, which shows and drops the flash
            # message; without that, the flashes would pile up in the session cookie.
            status, location, page = client.send(
                "POST", "/log/new", fields, keep_cookies=False
            )
        except (OSError, http.client.HTTPException) as error:
            errors[type(error).__name__] += 1
        else:
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
            if status == 303 and "/login" not in location:
                created.append(sequence)
            elif status == 200:
                refusals[form_errors(page)] += 1
        sequence += 1
    tally.add(client.number, created, statuses, errors, latencies, refusals)


def form_errors(page: str) -> str:
    """Return the first error message of a form that came back, for the report."""
    match = re.search(r'<small[^>]*class="[^"]*error[^"]*"[^>]*>([^<]+)', page)
    return match[1].strip() if match else "the form came back without an error shown"


def start_server(args, database_url: str, log) -> subprocess.Popen:
    """Start gunicorn with the production config and wait until it answers."""
    environment = dict(os.environ)
    environment.setdefault("SECRET_KEY", secrets.token_hex(32))
    environment["DATABASE_URL"] = database_url
    environment["RATELIMIT_ENABLED"] = "false"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(PROJECT_ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--no-control-socket",
    ]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads and args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    command.append("wsgi:app")

    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=log
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn ended with {server.returncode}; see {log.name}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    stop_server(server)
    raise BenchError(f"gunicorn did not answer within {START_TIMEOUT} s")


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, so workers finish what they have started."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def server_errors(path: str) -> Counter:
    """Count the server's unhandled errors by request, exception and our frames."""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    app_frame = f'File "{PROJECT_ROOT}/'
    found: Counter = Counter()
    for index, line in enumerate(lines):
        request = UNHANDLED.search(line)
        if not request:
            continue

        frames, exception, statement = [], "", ""
        for following in lines[index + 1 :]:
            if NEW_LOG_RECORD.match(following):
                break
            if following.strip().startswith(app_frame) and ".venv" not in following:
                frame = following.strip()[len(app_frame) :].replace('",', ",")
                frames = [known for known in frames if known != frame] + [frame]
            elif EXCEPTION_LINE.match(following):
                exception = following
            elif following.startswith("[SQL:"):
                statement = " " + following
        # The innermost frames of our own code say where the request failed.
        where = " < ".join(reversed(frames[-3:]))
        found[f"{request[2]} {request[1]}: {exception}{statement} at {where}"] += 1
    return found


def rows_since(people: list[Person], since: datetime) -> int:
    """Return how many log entries these people have made since the moment given."""
    query = select(func.count(LogEntry.id)).where(
        LogEntry.author_id.in_([person.id for person in people]),
        LogEntry.created_at >= since,
    )
    return db.session.scalar(query)


def percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100)[percent - 1] * 1000


def run_clients(args, log) -> dict:
    """Run the server and the clients; return the figures of the run."""
    app = app_for(args.database_url)
    with app.app_context():
        check_schema()
        people = bench_people(args.clients)
        engine = db.engine.dialect.name
        db.engine.dispose()

    run = new_run("http")
    started_at = datetime.now(UTC)
    server = start_server(args, args.database_url, log)
    try:
        clients = [Client(n, args.port, person) for n, person in enumerate(people)]
        with ThreadPoolExecutor(max_workers=args.sign_in_at_once) as pool:
            list(pool.map(Client.sign_in, clients))

        tally = Tally()
        began = time.perf_counter()
        deadline = began + args.seconds
        threads = [
            threading.Thread(target=post_entries, args=(client, run, deadline, tally))
            for client in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        stop_server(server)

    with app.app_context():
        rows = rows_since(people, started_at)
        lost, phantom = compare(tally.created, saved_entries(run))
        mismatches = rollup_mismatches([person.id for person in people])

    answers = sum(tally.statuses.values())
    classes = Counter(f"{status // 100}xx" for status in tally.statuses.elements())
    created = sum(len(numbers) for numbers in tally.created.values())
    return {
        "engine": engine,
        "clients": args.clients,
        "seconds": args.seconds,
        "elapsed_seconds": round(elapsed, 1),
        "workers": args.workers or "gunicorn.conf.py",
        "threads": args.threads or 1,
        "status_counts": dict(sorted(classes.items())),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "transport_errors": dict(tally.transport_errors),
        "refusals": dict(tally.refusals),
        "created_answers": created,
        "rows": rows,
        "lost": lost,
        "phantom": phantom,
        "rollup_mismatches": mismatches,
        "server_errors": classes["5xx"],
        "requests_per_second": round(answers / elapsed, 1),
        "p50_ms": round(percentile(tally.latencies, 50), 1),
        "p95_ms": round(percentile(tally.latencies, 95), 1),
    }


def failed(result: dict) -> bool:
    return bool(
        result["server_errors"]
        or result["transport_errors"]
        or result["rows"] != result["created_answers"]
        or result["lost"]
        or result["phantom"]
        or result["rollup_mismatches"]
    )


def print_server_errors(log_path: str) -> None:
    for error, count in server_errors(log_path).most_common():
        print(f"  server: {count} x {error}")
    print(f"  server log: {log_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="more than 1 means gthread")
    parser.add_argument(
        "--sign-in-at-once", type=int, help="clients logging in together (default: all)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--server-log", help="default: a new file in the temp folder")
    args = parser.parse_args(argv)
    args.sign_in_at_once = args.sign_in_at_once or args.clients

    log_path = args.server_log or tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1]
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            result = run_clients(args, log)
        except BenchError as error:
            print(f"The benchmark did not run: {error}", file=sys.stderr)
            print_server_errors(log_path)
            return 2

    print(
        f"{result['engine']}, {result['workers']} workers x {result['threads']} "
        f"threads, {result['clients']} clients for {result['elapsed_seconds']} s: "
        f"{result['requests_per_second']} posts/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms"
    )
    print(
        f"  answers {result['statuses']}, {result['created_answers']} created, "
        f"{result['rows']} rows, {result['lost']} lost, {result['phantom']} phantom, "
        f"{result['rollup_mismatches']} roll-up weeks off"
    )
    for kind, count in {**result["transport_errors"], **result["refusals"]}.items():
        print(f"  {count} x {kind}")
    print_server_errors(log_path)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)

    return 1 if failed(result) else 0


if __name__ == "__main__":
    sys.exit(main())
