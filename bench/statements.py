"""Count the SQL statements of each main page, in-process, against a prepared database.

    DATABASE_URL=... python bench/statements.py

Prints one JSON object: page name -> {"status", "statements", "distinct"}.
"""

import json
import sys
from pathlib import Path

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import PAGES, page_paths  # noqa: E402

from hcimv_lc import create_app  # noqa: E402
from hcimv_lc.accounts.models import User  # noqa: E402
from hcimv_lc.bench_data import PERSONAS  # noqa: E402
from hcimv_lc.extensions import db  # noqa: E402

# SQLite's driver sends BEGIN through the cursor, psycopg does not: leave it out.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def count_pages(app) -> dict[str, dict]:
    with app.app_context():
        paths = page_paths(db.session)
        ids = {
            persona: db.session.scalar(select(User).filter_by(email=email)).get_id()
            for persona, email in PERSONAS.items()
        }
        engine = db.engine
    clients = {}
    for persona, user_id in ids.items():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        clients[persona] = client

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    results = {}
    try:
        for page in PAGES:
            client = clients[page.persona]
            client.get(paths[page.name])
            statements.clear()
            status = client.get(paths[page.name]).status_code
            results[page.name] = {
                "status": status,
                "statements": len(statements),
                "distinct": len(set(statements)),
            }
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return results


if __name__ == "__main__":
    print(json.dumps(count_pages(create_app()), indent=1))
