"""Running plugin code so that it cannot take the host down: its import, its hooks, a layout's ``detect``
and ``parse``. Whatever the code does — raise, call ``sys.exit``, print on standard output (where the JSON
goes), or run for ever — the host gets a result or a one-line reason, and carries on with the others.

A time limit applies to third-party code only (the built-in layouts bound their own work), and only where
a signal can interrupt it: the main thread of a process on a system with ``SIGALRM``.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: Seconds a third-party plugin's import or hook may take; its detect; its parse of one file. The
#: environment variable ZFXXGK_PLUGIN_SECONDS sets all three (for a slow machine, or for tests).
_OVERRIDE = os.environ.get("ZFXXGK_PLUGIN_SECONDS", "")
_ONE = float(_OVERRIDE) if _OVERRIDE.replace(".", "", 1).isdigit() else None
IMPORT_SECONDS = _ONE or 20.0
DETECT_SECONDS = _ONE or 10.0
PARSE_SECONDS = _ONE or 120.0


class PluginFault(Exception):
    """Plugin code failed: the message says how, in one line."""


class _Overtime(BaseException):
    # BaseException, so that the plugin's own ``except Exception`` cannot swallow it
    pass


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def overtime(_sig, _frame):
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    old = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old[0]:
            signal.setitimer(signal.ITIMER_REAL, *old)


def call(what: str, func: Callable[..., Any], *args: Any, seconds: float | None = None) -> tuple[Any, str | None]:
    """``func(*args)`` with standard output kept away from the host's, at most ``seconds`` long.

    :returns: (the result, a warning or None): printing is a bug of the plugin, not a failure of its
        work, so the result stands, what it printed goes nowhere near the JSON, and the warning says so.
    :raises PluginFault: with a one-line reason when the code raises, exits or overruns (a CoreError it
        raises on purpose, such as UnreadableInput, goes through; so does KeyboardInterrupt).
    """
    out = io.StringIO()
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(out):
            result = func(*args)
    except _Overtime:
        raise PluginFault(f"{what} took more than {seconds:g} s and was stopped") from None
    except KeyboardInterrupt:
        raise
    except SystemExit as e:
        raise PluginFault(f"{what} called sys.exit({e.code!r})") from None
    except BaseException as e:
        from core.errors import CoreError

        if isinstance(e, CoreError):
            raise
        raise PluginFault(f"{what} failed: {type(e).__name__}: {' '.join(str(e).split())[:300]}") from None
    printed = " ".join(out.getvalue().split())
    warning = f"{what} wrote to standard output ({printed[:60]!r}); it was kept out of the output" if printed else None
    return result, warning
