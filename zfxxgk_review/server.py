"""Serving the review app on the loopback interface only, until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from pathlib import Path

from core.errors import UsageError

DEFAULT_PORT = 8765


def loopback(host: str) -> str:
    """``host`` if it is a loopback address (127.0.0.0/8, ::1, localhost); a usage error otherwise: the
    app serves one person's review on their own machine and never listens on a network."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise UsageError(f"--host {host}: only a loopback address (127.0.0.1, ::1) is allowed")


def make_server(db: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
    """A WSGI server for the app over ``db``, bound (port 0: any free port; ``server.server_port`` says
    which) and not yet serving."""
    from werkzeug.serving import make_server as werkzeug_server

    from zfxxgk_review.app import create_app

    host = loopback(host)
    app = create_app(db, port=port)
    try:
        server = werkzeug_server(host, port, app, threaded=True)
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror or e}); choose another --port") from None
    app.config["PORT"] = server.server_port
    return server


def serve(db: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, out=None) -> int:
    """Serve until interrupted; returns the exit code (0)."""
    out = out or sys.stdout
    server = make_server(db, host, port)
    url = f"http://{'[' + server.host + ']' if ':' in server.host else server.host}:{server.server_port}/"
    out.write(f"review: {Path(db)} at {url}  (Ctrl-C stops)\n")
    out.flush()
    stop = threading.Event()

    def _term(_signum, _frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _term)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    out.write("review: stopped\n")
    return 0
