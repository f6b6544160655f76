"""The benchmark's pages, baseline and arithmetic: what bench/RESULTS.md is built on."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from hcimv_lc import bench_data
from hcimv_lc.extensions import db
from hcimv_lc.seed import DEMO_PASSWORD
from tests.conftest import login

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import chaos  # noqa: E402
import pages  # noqa: E402
import results  # noqa: E402
import run  # noqa: E402


def measured(page, rps, engine="sqlite", scale=10, model="sync"):
    return [
        {
            "engine": engine,
            "scale": scale,
            "model": model,
            "page": page,
            "round": number,
            "rps": value,
            "p50_ms": 1000 / value,
            "p95_ms": 2000 / value,
            "non_2xx": 0,
            "socket_errors": 0,
        }
        for number, value in enumerate(rps, 1)
    ]


def test_every_page_is_compared_with_the_baseline_of_its_own_run():
    runs = (
        measured("baseline", [100, 400, 300])
        + measured("home", [90, 100, 200])
        + measured("baseline", [1000, 1000, 1000], model="gthread")
        + measured("home", [100, 100, 100], model="gthread")
    )

    rows = {(row["model"], row["page"]): row for row in run.summarise(runs)}

    assert rows["sync", "baseline"]["rps"] == 300
    assert rows["sync", "home"]["rps"] == 100
    assert rows["sync", "home"]["ratio"] == pytest.approx(1 / 3, abs=0.001)
    assert rows["gthread", "home"]["ratio"] == pytest.approx(0.1)
    assert rows["sync", "home"]["target"] == 0.5
    assert results.verdict(rows["sync", "home"]).endswith("MISSED")
    assert run.choose_model(list(rows.values())) == {"sqlite": "sync"}


def test_results_keep_the_written_analysis_when_regenerated(tmp_path):
    runs = measured("baseline", [200] * 5) + measured("my_log", [150] * 5)
    result = {
        "machine": run.machine(),
        "settings": {
            "rounds": 5,
            "seconds_per_load": 3,
            "connections": 8,
            "models": {"sync": {"workers": 5, "worker_class": "sync", "threads": 1}},
        },
        "chosen_model": {"sqlite": "sync"},
        "statements": {"sqlite 10x": {"my_log": 6}},
        "summary": run.summarise(runs),
    }
    path = tmp_path / "RESULTS.md"
    results.write_markdown(result, path)
    path.write_text(path.read_text() + "My log misses nothing.\n")

    results.write_markdown(result, path)

    text = path.read_text()
    assert "| my log | 10x | sync | 150 | 6.7 | 13.3 | 0.75 | ≥ 0.5: met |" in text
    assert "| my log | 6 |" in text
    assert text.count("My log misses nothing.") == 1


def test_the_baseline_renders_the_base_layout_without_the_database():
    import baseline

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with baseline.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = baseline.app.test_client().get("/baseline")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert page.status_code == 200
    assert "<nav" in page.get_data(as_text=True)
    assert statements == []


def test_every_benchmarked_page_answers_its_persona_on_bench_data(app):
    with app.app_context():
        bench_data.load(0.05, seed=1)
        db.session.commit()
        paths = pages.page_paths(db.session)

    for page in pages.PAGES:
        client = app.test_client()
        login(client, bench_data.PERSONAS[page.persona], DEMO_PASSWORD)
        assert client.get(paths[page.name]).status_code == 200, page.name


def test_chaos_fails_a_run_whose_error_answers_are_not_the_apps_page():
    from hcimv_lc.errors import BARE_PAGE, BARE_TEXTS

    args = SimpleNamespace(workers=4, recovery_limit=10)
    passed = {
        "scenario": "kill-sqlite",
        "lost": 0,
        "duplicated": 0,
        "stray_rows": 0,
        "rollup_mismatches": 0,
        "server_restarted": False,
        "workers_at_end": 4,
        "failed_otherwise": {},
        "kills": [{"replaced_after": 1.2}],
        "error_pages": {
            f"{code} POST /log": chaos.error_page_kind(
                BARE_PAGE.format(title=texts[0], dutch="", english="", request_id="")
            )
            for code, texts in BARE_TEXTS.items()
        },
    }
    # What gunicorn sends when the app never answers, and a debugger's page.
    gunicorn = "<html><head><title>Internal Server Error</title></head></html>"
    debugger = "Traceback (most recent call last):"

    assert chaos.failures(passed, args) == []
    for body, shown in [(gunicorn, "a bare page"), (debugger, "a traceback")]:
        kind = chaos.error_page_kind(body)
        run = {**passed, "error_pages": {**passed["error_pages"], "500 GET /": kind}}
        assert kind.startswith(shown)
        assert chaos.failures(run, args) == [f"an error answer showed {kind}"]
