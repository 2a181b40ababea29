"""Worker processes seen from their parent: start one, hand it files, watch its time and memory, kill it.

A :class:`Child` runs :func:`zfxxgk_batch.worker.child_main`, started either by ``multiprocessing`` (the
local engine: forked where that is safe, so it starts in milliseconds with the plugins loaded) or as a
plain subprocess (:class:`Sandbox`, the child a Dask worker parses in: Dask worker processes are
daemonic, and ``multiprocessing`` refuses children to those).

Every child dies with its parent (``PR_SET_PDEATHSIG`` on Linux, a watcher thread elsewhere), ignores
Ctrl-C (its parent decides what an interrupt means) and holds no descriptor of its parent's but its own
pipe, so a child blocked on its pipe sees the end of it when the parent goes. :func:`kill_all` kills
every live child at once; a signal handler may call it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any

from zfxxgk_batch.worker import (
    EXIT_OVER_MEMORY,
    Settings,
    Task,
    crash_failure,
    limit_failure,
)

#: pid -> Child of every child alive in this process, for kill_all
_LIVE: dict[int, Child] = {}
#: the process _LIVE belongs to (a forked child has a copy of it, and must not act on it)
_OWNER = os.getpid()
#: How long a child may take to load the plugins and say it is ready.
START_TIMEOUT_S = 120.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Windows has no SIGKILL; its SIGTERM terminates at once too
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def kill_all() -> None:
    """SIGKILL every live child (safe in a signal handler: no locks, no allocation worth the name)."""
    if os.getpid() != _OWNER:
        return
    for pid in list(_LIVE):
        with contextlib.suppress(OSError, ProcessLookupError):
            os.kill(pid, _KILL)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux), or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return None


class Child:
    """One worker process and the pipe to it, with the files it was handed, oldest first."""

    def __init__(self, settings: Settings, ctx=None):
        #: a multiprocessing context, or None for a plain subprocess
        self.ctx = ctx
        self.settings = settings
        #: a multiprocessing Process or a subprocess Popen, and the Connection to it
        self.proc: Any = None
        self.conn: Any = None
        self.pid: int | None = None
        self.ready = False
        self.spawned = 0.0
        #: when the oldest file in flight started (None: nothing in flight, or not ready yet)
        self.started: float | None = None
        self.inflight: deque[Task] = deque()
        #: the child said its last result was its last
        self.exiting = False
        self.results = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None

    def start(self, close_fds: tuple[int, ...] = ()) -> None:
        if self.ctx is not None:
            self._start_mp(close_fds)
        else:
            self._start_subprocess()
        self.ready = False
        self.exiting = False
        self.spawned = time.monotonic()
        self.started = None
        self.results = 0
        assert self.pid is not None
        global _OWNER
        if not _LIVE:
            _OWNER = os.getpid()
        _LIVE[self.pid] = self

    def _start_mp(self, close_fds: tuple[int, ...]) -> None:
        from zfxxgk_batch.worker import child_main

        parent, child = self.ctx.Pipe(duplex=True)
        forked = self.ctx.get_start_method() == "fork"
        # a forked child inherits every descriptor: it closes ours (its copy of this pipe's far end,
        # the other children's pipes, the database lock) so that nothing of the parent outlives it
        close = (*close_fds, parent.fileno()) if forked else ()
        self.proc = self.ctx.Process(target=child_main, args=(child, self.settings, close), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        self.pid = self.proc.pid

    def _start_subprocess(self) -> None:
        import pickle
        import socket
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        code = "import sys; from zfxxgk_batch.pool import sandbox_entry; sandbox_entry(int(sys.argv[1]))"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        theirs.close()
        self.conn = Connection(mine.detach())
        self.pid = self.proc.pid
        self.conn.send_bytes(pickle.dumps(self.settings))

    def fileno(self) -> int:
        assert self.conn is not None
        return self.conn.fileno()

    def send(self, task: Task) -> None:
        assert self.conn is not None
        self.conn.send(task)
        self.inflight.append(task)
        if self.ready and self.started is None:
            self.started = time.monotonic()

    def receive(self) -> dict | None:
        """The next message, or None when the child is gone (EOF). Marks it ready, pops the file a
        result is for, and starts the clock of the next one."""
        assert self.conn is not None
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            return None
        if "ready" in msg:
            self.ready = True
            self.started = time.monotonic() if self.inflight else None
            return msg
        if self.inflight:
            self.inflight.popleft()
        self.results += 1
        self.started = time.monotonic() if self.inflight else None
        if msg.get("exiting"):
            self.exiting = True
        return msg

    def rss_mb(self) -> float | None:
        return rss_mb(self.pid) if self.pid else None

    def exit_code(self) -> int | None:
        """The process's exit status once it has ended (negative: the signal that killed it)."""
        if self.proc is None:
            return None
        if self.ctx is not None:
            self.proc.join(0.5)
            return self.proc.exitcode
        try:
            return self.proc.wait(0.5)
        except subprocess.TimeoutExpired:
            return None

    def failure_of(self, task: Task) -> dict:
        """The failure of the file the process was parsing when it ended by itself (call before kill)."""
        if self.exit_code() == EXIT_OVER_MEMORY and self.settings.memory_limit:
            return limit_failure(task, "memory", self.settings.memory_limit)
        return crash_failure(task, self.how_it_ended())

    def how_it_ended(self) -> str:
        """How the process ended, for the failure of the file it was parsing (call before kill)."""
        code = self.exit_code()
        if code is None:
            return "its pipe closed"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def kill(self) -> list[Task]:
        """Kill the process at once; returns the files it held (not parsed)."""
        held = list(self.inflight)
        self.inflight.clear()
        if self.pid is not None:
            with contextlib.suppress(OSError, ProcessLookupError):
                os.kill(self.pid, _KILL)
        self._reap()
        return held

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the process to finish (it closes its part database), kill it if it does not."""
        if self.proc is None:
            return
        try:
            assert self.conn is not None
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        if self.ctx is not None:
            self.proc.join(timeout)
            if self.proc.is_alive():
                self.kill()
                return
        else:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            if self.ctx is not None:
                self.proc.join(2)
            else:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(2)
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
        if self.pid is not None:
            _LIVE.pop(self.pid, None)
        self.proc = self.conn = None
        self.pid = None
        self.ready = False
        self.started = None


def sandbox_entry(fd: int) -> None:
    """Main of a subprocess child: its settings come first on the pipe."""
    import pickle
    from multiprocessing.connection import Connection

    from zfxxgk_batch.worker import child_main

    conn = Connection(fd)
    settings = pickle.loads(conn.recv_bytes())
    child_main(conn, settings)


class Sandbox:
    """One child that parses files one at a time for the calling thread, under the per-file limits:
    a file over the time or memory limit, or one that kills the child, is a failure; the child is
    replaced for the next file."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.child = Child(settings, ctx=None)

    def _ensure(self) -> None:
        ch = self.child
        if ch.alive and ch.conn is not None and ch.proc is not None and ch.proc.poll() is None:
            return
        if ch.alive:
            ch.kill()
        ch.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ch.ready:
            assert ch.conn is not None
            if not ch.conn.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() > deadline:
                    ch.kill()
                    raise RuntimeError("the parse process did not start")
                continue
            if ch.receive() is None:
                ch.kill()
                raise RuntimeError("the parse process died while starting")

    def run(self, task: Task) -> dict:
        s = self.settings
        self._ensure()
        ch = self.child
        ch.send(task)
        assert ch.conn is not None
        while True:
            if ch.conn.poll(0.1):
                msg = ch.receive()
                if msg is None:
                    failure = ch.failure_of(task)
                    ch.kill()
                    return failure
                if ch.exiting:
                    ch.kill()
                return msg
            now = time.monotonic()
            if s.time_limit and ch.started is not None and now - ch.started > s.time_limit:
                ch.kill()
                return limit_failure(task, "time", s.time_limit)
            if s.memory_limit:
                used = ch.rss_mb()
                if used is not None and used > s.memory_limit:
                    ch.kill()
                    return limit_failure(task, "memory", s.memory_limit)

    def close(self) -> None:
        self.child.stop()


_sandboxes: dict[tuple, Sandbox] = {}
_sandbox_lock = threading.Lock()


def sandbox(settings: Settings) -> Sandbox:
    """This process's sandbox for ``settings`` (one per Dask worker process)."""
    key = (
        settings.no_plugins,
        settings.time_limit,
        settings.memory_limit,
        settings.versions.of_failure() if settings.versions else None,
    )
    with _sandbox_lock:
        box = _sandboxes.get(key)
        if box is None:
            box = _sandboxes[key] = Sandbox(settings)
        return box
