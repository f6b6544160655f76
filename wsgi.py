"""The WSGI entry point for gunicorn and the flask command."""

from hcimv_lc import create_app

app = create_app()
