"""The benchmark's baseline: the product's stack and base layout, with no database.

gunicorn serves `baseline:app` (with `--pythonpath bench`) on the same settings as the
product. Its one page is the base layout rendered for a visitor who is not signed in,
through the same app factory, extensions, context processors and security headers, so
that the ratio of a page to it is what the page's own queries and template cost.
"""

from pathlib import Path

from flask import render_template
from jinja2 import ChoiceLoader, FileSystemLoader

from hcimv_lc import create_app

# An in-memory database that nothing reads: create_app needs a URL to build its engine.
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
app.jinja_loader = ChoiceLoader(
    [FileSystemLoader(Path(__file__).parent / "templates"), app.jinja_loader]
)


@app.get("/baseline")
def baseline() -> str:
    """Render the base layout with an empty main block."""
    return render_template("baseline.html")
