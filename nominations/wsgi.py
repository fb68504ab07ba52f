"""The WSGI entry point for production servers: ``gunicorn nominations.wsgi:app``.

The configuration defaults to ``production`` here (``NOMINATIONS_CONFIG`` still chooses), so a
server started without it refuses the development secret key instead of running with it.
See gunicorn.conf.py and README "Running in production".
"""

import os

from nominations import create_app

app = create_app(os.environ.get("NOMINATIONS_CONFIG") or "production")
