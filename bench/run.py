"""Load the main pages and a bare baseline page through gunicorn, interleaved.

    make bench                  # both engines, 1x/10x/100x, both worker models
    .venv/bin/python bench/run.py --scales 1 --engines sqlite --rounds 2  # a look

For each engine and scale it prepares a database with `flask bench-data` (once; kept in
bench/data/ and PostgreSQL databases hcimv_bench_<scale>), starts the product and the
baseline (bench/baseline.py) side by side on the same gunicorn settings, signs the
personas in through the real login form, and then, round after round, loads the
baseline and every page with wrk in turn. Medians over the rounds and each page's ratio
to the baseline of the same run go to bench/RESULTS.md and bench/results.json.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
DATA = BENCH / "data"
sys.path.insert(0, str(BENCH))

from pages import PAGES  # noqa: E402

from hcimv_lc.bench_data import DEMO_PASSWORD as PASSWORD  # noqa: E402
from hcimv_lc.bench_data import PERSONAS  # noqa: E402

SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CORES = os.cpu_count() or 1
MODELS = {
    # name: (workers, worker class, threads)
    "sync": (2 * CORES + 1, "sync", 1),
    "gthread": (CORES, "gthread", 4),
}
# Which pages carry a target at which scale (all pages are measured at 1x and 10x).
TARGETS = {
    10: {page.name: 0.5 for page in PAGES},
    100: {
        **{page.name: 0.25 for page in PAGES if page.dashboard},
        "toolbox_search": 0.4,
    },
}


def database_url(engine: str, scale: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{DATA / f'{scale}.sqlite'}"
    return f"{POSTGRES}/hcimv_bench_{scale}"


def flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def prepared(engine: str, scale: int, head: str) -> bool:
    """Tell whether the database holds benchmark data at this scale and schema."""
    query = 'SELECT (SELECT count(*) FROM "user"), version_num FROM alembic_version'
    expected = f"{500 * scale}|{head}"
    if engine == "sqlite":
        path = DATA / f"{scale}.sqlite"
        if not path.exists():
            return False
        with sqlite3.connect(path) as connection:
            try:
                row = connection.execute(query).fetchone()
            except sqlite3.Error:
                return False
        return "|".join(map(str, row)) == expected

    result = subprocess.run(
        ["psql", database_url(engine, scale), "-tAc", query],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0 and result.stdout.strip() == expected


def migration_head() -> str:
    """Return the newest migration, so that a database of an older schema is rebuilt."""
    output = flask(f"sqlite:///{DATA / 'heads.sqlite'}", "db", "heads").stdout
    return output.split()[0]


def prepare(engine: str, scale: int, head: str) -> float | None:
    """Fill a fresh database at the scale; return the seconds bench-data took."""
    if prepared(engine, scale, head):
        return None

    url = database_url(engine, scale)
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / f'{scale}.sqlite'}{suffix}").unlink(missing_ok=True)
    else:
        name = f"hcimv_bench_{scale}"
        for statement in (
            f"DROP DATABASE IF EXISTS {name}",
            f"CREATE DATABASE {name}",
        ):
            subprocess.run(
                ["psql", f"{POSTGRES}/postgres", "-qc", statement], check=True
            )
    print(f"preparing {engine} at {scale}x", flush=True)
    flask(url, "db", "upgrade")
    started = time.perf_counter()
    flask(url, "bench-data", "--scale", str(scale))
    seconds = round(time.perf_counter() - started, 1)
    (DATA / f"load-{engine}-{scale}.txt").write_text(str(seconds))
    return seconds


def load_times() -> dict[str, float]:
    """Return how long bench-data took for each database, when it was filled."""
    times = {}
    for path in sorted(DATA.glob("load-*.txt")):
        _load, engine, scale = path.stem.split("-")
        times[f"{engine} {scale}x"] = float(path.read_text())
    return times


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn, on loopback, with the production config and a worker model."""

    def __init__(self, target: str, model: str, url: str, extra_path: str = ""):
        workers, worker_class, threads = MODELS[model]
        self.port = free_port()
        env = {
            **os.environ,
            "HCIMV_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
        }
        command = [
            str(BIN / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--access-logfile",
            "/dev/null",
            "--no-control-socket",
        ]
        if extra_path:
            command += ["--pythonpath", extra_path]
        self.log = open(DATA / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*command, target], cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.wait()

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def get(base: str, path: str, cookie: str = "") -> tuple[int, dict, str]:
    parts = urllib.parse.urlsplit(base)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response, body


def sign_in(base: str, email: str) -> str:
    """Sign in through the login form; return the Cookie header of the session."""
    status, response, body = get(base, "/login")
    cookie = session_cookie(response)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token}
    )
    parts = urllib.parse.urlsplit(base)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request(
        "POST",
        "/login",
        body=form,
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": base + "/login",
        },
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 303:
        raise RuntimeError(f"signing in {email} answered {response.status}")

    return session_cookie(response)


def session_cookie(response) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    raise RuntimeError("no session cookie")


def wrk(url: str, cookie: str, seconds: float, connections: int) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--latency", "-s", str(BENCH / "report.lua")]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def statement_counts(engine: str, scale: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(engine, scale),
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
    }
    output = subprocess.run(
        [str(BIN / "python"), str(BENCH / "statements.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {name: row["statements"] for name, row in json.loads(output).items()}


def measure(engine, scale, model, args) -> list[dict]:
    """Run the interleaved rounds of one engine, scale and worker model."""
    url = database_url(engine, scale)
    app = Server("wsgi:app", model, url)
    baseline = Server("baseline:app", model, url, extra_path=str(BENCH))
    runs = []
    try:
        cookies = {name: sign_in(app.base, email) for name, email in PERSONAS.items()}
        paths = page_paths(engine, scale)
        targets = [("baseline", baseline.base, "/baseline", "")]
        targets += [
            (page.name, app.base, paths[page.name], cookies[page.persona])
            for page in PAGES
            if scale in args.all_pages_at or page.name in TARGETS.get(scale, {})
        ]
        for name, base, path, cookie in targets:
            status, _response, _body = get(base, path, cookie)
            if status != 200:
                raise RuntimeError(f"{name} answered {status} at {path}")
        for round_number in range(1, args.rounds + 1):
            for name, base, path, cookie in targets:
                figures = wrk(base + path, cookie, args.seconds, args.connections)
                runs.append(
                    {
                        "engine": engine,
                        "scale": scale,
                        "model": model,
                        "page": name,
                        "round": round_number,
                        **figures,
                    }
                )
                print(
                    f"{engine:10} {scale:>3}x {model:7} r{round_number} {name:17}"
                    f" {figures['rps']:8.1f} rps  p50 {figures['p50_ms']:7.1f} ms"
                    f"  non-2xx {figures['non_2xx']}",
                    flush=True,
                )
    finally:
        app.stop()
        baseline.stop()
    return runs


def sqlite_copy(name: str) -> str:
    """Return the URL of a fresh copy of the 1x SQLite data under bench/data/."""
    target = DATA / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with (
        sqlite3.connect(DATA / "1.sqlite") as source,
        sqlite3.connect(target) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{target}"


def writable_copy(engine: str) -> str:
    """Return the URL of a fresh copy of the 1x database, for a write benchmark."""
    if engine == "sqlite":
        return sqlite_copy("writes")

    for statement in (
        "DROP DATABASE IF EXISTS hcimv_bench_writes",
        "CREATE DATABASE hcimv_bench_writes TEMPLATE hcimv_bench_1",
    ):
        subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", statement], check=True)
    return f"{POSTGRES}/hcimv_bench_writes"


def measure_writes(engine: str, model: str, args) -> dict[str, dict]:
    """Run the two write benchmarks on a copy of the 1x data of the engine."""
    workers, _worker_class, threads = MODELS[model]
    scripts = {
        f"{engine}, 16 writer processes": ["writers.py", "--processes", "16"],
        f"{engine}, 32 HTTP clients ({model})": [
            "http_writers.py",
            "--clients",
            "32",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--port",
            str(free_port()),
        ],
    }
    figures = {}
    for title, (script, *options) in scripts.items():
        output = DATA / f"writes-{len(figures)}-{engine}.json"
        output.unlink(missing_ok=True)
        command = [str(BIN / "python"), str(BENCH / script)]
        command += ["--database-url", writable_copy(engine), *options]
        command += ["--seconds", str(args.write_seconds), "--json", str(output)]
        env = {**os.environ, "SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "WARNING"}
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True
        )
        print(done.stdout, done.stderr[-2000:] if done.returncode else "", flush=True)
        figures[title] = json.loads(output.read_text()) if output.exists() else {}
        figures[title]["passed"] = done.returncode == 0
    return figures


def page_paths(engine: str, scale: int) -> dict[str, str]:
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); from pages import page_paths;"
        "from hcimv_lc import create_app; from hcimv_lc.extensions import db;"
        "app = create_app();\n"
        "with app.app_context(): print(json.dumps(page_paths(db.session)))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url(engine, scale),
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
    }
    output = subprocess.run(
        [str(BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> list[dict]:
    """Return each page's medians over the rounds, with its ratio to the baseline."""
    groups: dict[tuple, list[dict]] = {}
    for run in runs:
        key = (run["engine"], run["scale"], run["model"], run["page"])
        groups.setdefault(key, []).append(run)
    rows = []
    for (engine, scale, model, page), group in groups.items():
        rows.append(
            {
                "engine": engine,
                "scale": scale,
                "model": model,
                "page": page,
                "rounds": len(group),
                "rps": statistics.median(run["rps"] for run in group),
                "p50_ms": statistics.median(run["p50_ms"] for run in group),
                "p95_ms": statistics.median(run["p95_ms"] for run in group),
                "non_2xx": sum(run["non_2xx"] + run["socket_errors"] for run in group),
            }
        )
    for row in rows:
        base = next(
            other["rps"]
            for other in rows
            if other["page"] == "baseline"
            and (other["engine"], other["scale"], other["model"])
            == (row["engine"], row["scale"], row["model"])
        )
        row["ratio"] = round(row["rps"] / base, 3)
        row["target"] = TARGETS.get(row["scale"], {}).get(row["page"])
    return rows


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.0f} GiB"

    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError:
            return "not found"
        return (done.stdout or done.stderr).strip().splitlines()[0]

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "cpu": f"{cpu}, {CORES} cores",
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": version(
            ["psql", f"{POSTGRES}/postgres", "-tAc", "SHOW server_version"]
        ),
        "gunicorn": version([str(BIN / "gunicorn"), "--version"]),
        "wrk": version(["wrk", "--version"]),
    }


def choose_model(rows: list[dict]) -> dict[str, str]:
    """Pick, per engine, the worker model with the higher geometric mean of ratios."""
    chosen = {}
    for engine in sorted({row["engine"] for row in rows}):
        scores = {}
        for model in MODELS:
            ratios = [
                row["ratio"]
                for row in rows
                if row["engine"] == engine
                and row["model"] == model
                and row["page"] != "baseline"
            ]
            if ratios:
                scores[model] = statistics.geometric_mean(ratios)
        if scores:
            chosen[engine] = max(scores, key=scores.get)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--compare-at",
        type=int,
        default=10,
        help="the scale at which both worker models are measured",
    )
    parser.add_argument(
        "--write-seconds",
        type=int,
        default=60,
        help="length of each write benchmark; 0 leaves them out",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="fill the databases and stop"
    )
    parser.add_argument("--output", default=str(BENCH))
    args = parser.parse_args()
    engines = args.engines.split(",")
    scales = [int(scale) for scale in args.scales.split(",")]
    args.all_pages_at = {1, 10}

    ensure_wrk()
    DATA.mkdir(exist_ok=True)
    head = migration_head()
    for engine in engines:
        for scale in scales:
            prepare(engine, scale, head)
    load_seconds = load_times()

    if args.prepare_only:
        print(json.dumps(load_seconds))
        return

    statements = {
        f"{engine} {scale}x": statement_counts(engine, scale)
        for engine in engines
        for scale in scales
    }
    runs = []
    for engine in engines:
        models = list(MODELS) if args.compare_at in scales else ["sync"]
        for model in models:
            if args.compare_at in scales:
                runs += measure(engine, args.compare_at, model, args)
        model = choose_model(summarise(runs)).get(engine, "sync")
        for scale in scales:
            if scale != args.compare_at:
                runs += measure(engine, scale, model, args)

    rows = summarise(runs)
    chosen = choose_model([r for r in rows if r["scale"] == args.compare_at])
    writes = {}
    if args.write_seconds:
        for engine in engines:
            writes.update(measure_writes(engine, chosen.get(engine, "sync"), args))
    result = {
        "machine": machine(),
        "settings": {
            "rounds": args.rounds,
            "seconds_per_load": args.seconds,
            "connections": args.connections,
            "models": {
                name: dict(
                    zip(("workers", "worker_class", "threads"), model, strict=True)
                )
                for name, model in MODELS.items()
            },
        },
        "chosen_model": chosen,
        "load_seconds": load_seconds,
        "writes": writes,
        "statements": statements,
        "summary": rows,
        "runs": runs,
    }
    output = Path(args.output)
    (output / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    from results import write_markdown

    write_markdown(result, output / "RESULTS.md")
    print(f"wrote {output / 'RESULTS.md'} and {output / 'results.json'}")


if __name__ == "__main__":
    main()
