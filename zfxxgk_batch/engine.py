"""Where the parsing runs: a local pool of worker processes (``-j N``), or a Dask distributed cluster
(``--engine dask``, with ``--scheduler ADDRESS`` or a local cluster).

Local workers (``zfxxgk_batch.pool.Child``) get one file at a time, at most two ahead, over a pipe; they
write the reports they parse into part databases of their own (merged into the output by the main
process, in bulk) and send back a status. The main process watches each worker's current file: past the
time limit or the memory limit, the worker is killed, the file recorded as a failure with that reason,
the worker replaced. A worker that dies costs the file it was parsing (recorded as ``crashed``); the files
queued behind it are handed out again.

Dask workers, which may be on other machines, get chunks of files (:func:`drive`) and send the rows
back; the main process writes them. With per-file limits, each Dask worker parses in a child process of
its own (``zfxxgk_batch.pool.Sandbox``) that it kills and replaces the same way.

Interrupts (``Control``): after the first, no file is handed out; the files being parsed may finish
during a grace period, then whatever is still running is abandoned (nothing of it is written). After the
second, everything stops at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from core.errors import CoreError, UsageError
from zfxxgk_batch.worker import (
    EXIT_OVER_MEMORY,
    Settings,
    Task,
    crash_failure,
    limit_failure,
    parse_chunk,
)

#: Seconds the files being parsed at the first Ctrl-C get to finish before they are abandoned.
GRACE_S = 5.0


@dataclass
class Control:
    """What the user asked, set from the signal handler: stop handing out files, or stop at once."""

    stop: bool = False
    abort: bool = False
    stop_at: float = 0.0
    grace: float = GRACE_S

    def request_stop(self) -> None:
        if not self.stop:
            self.stop, self.stop_at = True, time.monotonic()

    def grace_over(self) -> bool:
        return self.stop and time.monotonic() > self.stop_at + self.grace


class BatchError(CoreError):
    """The batch itself cannot go on (not one file's fault): exit 1 with one line."""

    exit_code = 1


class Engine:
    name = "engine"
    workers = 1

    def run(self, tasks: Iterable[Task], on_result: Callable[[dict], None], control: Control) -> bool:
        """Parse every task, calling ``on_result`` in this thread as results arrive. Returns False when
        stopped by ``control`` before the end."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalEngine(Engine):
    """``workers`` processes on this machine (forked where possible, so workers start with the plugins
    the main process already loaded)."""

    name = "local"
    #: files handed to a worker ahead of its result (the next one is ready when it finishes one)
    depth = 2

    def __init__(self, workers: int | None, settings: Settings, close_fds: tuple[int, ...] = ()):
        import multiprocessing

        self.workers = max(1, workers or os.cpu_count() or 1)
        self.settings = settings
        self.close_fds = close_fds
        methods = multiprocessing.get_all_start_methods()
        # Forking a process that runs other threads (an event loop, a Dask client) is unsafe.
        method = (
            "fork"
            if "fork" in methods and threading.active_count() == 1
            else ("forkserver" if "forkserver" in methods else "spawn")
        )
        self._ctx = multiprocessing.get_context(method)
        self.children: list = []
        #: workers that died before they were ready, in a row (three: the workers cannot start at all)
        self._failed_starts = 0

    def _start(self, ch) -> None:
        others = tuple(c.fileno() for c in self.children if c is not ch and c.alive)
        ch.start((*self.close_fds, *others))

    def run(self, tasks: Iterable[Task], on_result: Callable[[dict], None], control: Control) -> bool:
        from zfxxgk_batch.pool import Child

        self.children = [Child(self.settings, self._ctx) for _ in range(self.workers)]
        retry: deque[Task] = deque()
        it: Iterator[Task] = iter(tasks)

        def lost(ch, failure: dict | None) -> None:
            """``ch`` is gone or killed: record ``failure`` for its current file, hand the rest out again."""
            held = ch.kill()
            if failure is not None and held:
                on_result(failure)
                held = held[1:]
            if not control.stop:
                retry.extendleft(reversed(held))

        def died(ch) -> None:
            if control.abort:  # killed from the signal handler: not the file's fault
                lost(ch, None)
                return
            if not ch.ready:
                self._failed_starts += 1
                over = ch.exit_code() == EXIT_OVER_MEMORY
                how = ch.how_it_ended()
                lost(ch, None)
                if over:
                    raise UsageError(
                        f"--memory-limit {self.settings.memory_limit:g}: a worker needs more than that "
                        f"before it parses anything"
                    )
                if self._failed_starts >= 3:
                    raise BatchError(f"the worker processes die as they start ({how})")
                return
            if ch.exiting or not ch.inflight:
                lost(ch, None)
                return
            lost(ch, ch.failure_of(ch.inflight[0]))

        try:
            return self._loop(it, retry, on_result, control, lost, died)
        except BaseException:
            self.kill()
            raise

    def _loop(self, it, retry, on_result, control, lost, died) -> bool:
        from multiprocessing.connection import wait

        from zfxxgk_batch.pool import START_TIMEOUT_S

        s = self.settings
        exhausted = False
        last_memory_check = 0.0
        while True:
            if control.abort or control.grace_over():
                self.kill()
                return False
            if control.stop:
                for ch in self.children:
                    if ch.alive and not ch.inflight:
                        ch.stop(1.0)
            else:
                for ch in self.children:
                    while len(ch.inflight) < self.depth and not control.stop:
                        if retry:
                            t = retry.popleft()
                        elif exhausted:
                            break
                        else:
                            try:
                                t = next(it)
                            except StopIteration:
                                exhausted = True
                                break
                        if not ch.alive:
                            self._start(ch)
                        try:
                            ch.send(t)
                        except (OSError, ValueError):  # it died: its own result says how
                            retry.appendleft(t)
                            break
            if not any(ch.inflight for ch in self.children):
                if control.stop:
                    self.kill()
                    return False
                if exhausted and not retry:
                    return True
                continue
            conns = {ch.conn: ch for ch in self.children if ch.alive}
            for conn in wait(list(conns), timeout=0.1):
                ch = conns[conn]
                while ch.alive:
                    msg = ch.receive()
                    if msg is None:
                        died(ch)
                        break
                    if "ready" in msg:
                        self._failed_starts = 0
                    else:
                        on_result(msg)
                        if control.stop:
                            if ch.inflight:  # the files queued behind this one are abandoned, not parsed
                                lost(ch, None)
                            else:
                                ch.stop(1.0)
                            break
                    if ch.exiting:
                        lost(ch, None)
                        break
                    if ch.conn is None or not ch.conn.poll(0):
                        break
            now = time.monotonic()
            check_memory = bool(s.memory_limit) and now - last_memory_check >= 0.2
            if check_memory:
                last_memory_check = now
            for ch in self.children:
                if not ch.alive:
                    continue
                if not ch.ready and now - ch.spawned > START_TIMEOUT_S:
                    self._failed_starts += 1
                    lost(ch, None)
                    if self._failed_starts >= 3:
                        raise BatchError(f"the worker processes do not start within {START_TIMEOUT_S:g} s")
                    continue
                if not ch.inflight or ch.started is None:
                    continue
                if s.time_limit and now - ch.started > s.time_limit:
                    lost(ch, limit_failure(ch.inflight[0], "time", s.time_limit))
                elif check_memory and s.memory_limit:
                    used = ch.rss_mb()
                    if used is not None and used > s.memory_limit:
                        lost(ch, limit_failure(ch.inflight[0], "memory", s.memory_limit))

    def kill(self) -> None:
        for ch in self.children:
            if ch.alive:
                ch.kill()

    def close(self) -> None:
        for ch in self.children:
            if ch.alive:
                ch.stop(5.0)


class DaskEngine(Engine):
    """A Dask distributed cluster: the scheduler at ``address``, or a local cluster of ``workers``
    single-threaded worker processes when no address is given. Files travel to the workers as bytes, so
    workers need the same zfxxgk (and plugins), not the same file system."""

    name = "dask"
    depth = 4  # chunks in flight per worker: a round trip through the scheduler costs more than a pipe

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        no_plugins: bool = False,
        cluster_kwargs: dict | None = None,
        settings: Settings | None = None,
    ):
        from core.errors import UsageError

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "--engine dask needs dask.distributed: pip install 'dask[distributed]' (from a clone: "
                "pip install '.[dask]')"
            ) from None
        import logging

        self.no_plugins = no_plugins
        self.settings = settings
        self._cluster = None
        if address:
            try:
                self.client = Client(address, timeout="10s")
            except Exception as e:  # distributed raises many kinds; each is one line here
                raise UsageError(f"--scheduler {address}: cannot connect ({type(e).__name__}: {e})") from None
        else:
            kw = {
                "n_workers": max(1, workers or os.cpu_count() or 1),
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": ":0",
                "silence_logs": logging.ERROR,
            }
            kw.update(cluster_kwargs or {})
            with _ctrl_c_ignored():
                # Its processes are in the terminal's process group: they must leave Ctrl-C to us (a
                # process started with SIGINT ignored keeps ignoring it, Python and asyncio included).
                self._cluster = LocalCluster(**kw)
            self.client = Client(self._cluster)
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))
        scheduler = self.client.scheduler
        self.address = scheduler.address if scheduler is not None else (address or "")

    def versions(self) -> dict[str, str]:
        """Each worker's versions as one line (loads the plugins on every worker)."""
        from zfxxgk_batch.worker import parser_version

        return self.client.run(parser_version, self.no_plugins)

    def submit(self, chunk):
        return self.client.submit(parse_chunk, chunk, self.no_plugins, self.settings, pure=False)

    def wait(self, handles, timeout):
        from distributed import wait

        try:
            done, _ = wait(handles, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        except Exception as e:  # distributed's own TimeoutError on older versions
            if "Timeout" in type(e).__name__:
                return []
            raise
        return list(done)

    def result(self, handle):
        return handle.result()

    def cancel(self, handles):
        with contextlib.suppress(Exception):  # a client already closing: nothing left to cancel
            self.client.cancel(handles)

    def check(self):
        if self.client.status not in ("running", "connecting"):
            raise BatchError(f"the Dask scheduler at {self.address} is gone ({self.client.status})")

    def run(self, tasks, on_result, control):
        def on_results(results: list[dict]) -> None:
            for r in results:
                on_result(r)

        return drive(self, chunks(tasks, self.workers), on_results, control)

    def close(self):
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


@contextlib.contextmanager
def _ctrl_c_ignored():
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def chunks(tasks: Iterable[Task], workers: int, size: int = 16, max_bytes: int = 4 * 1024 * 1024):
    """Tasks in chunks of at most ``size`` files or ``max_bytes`` bytes (the first ones small, so that
    every worker has work soon)."""
    chunk: list[Task] = []
    nbytes = 0
    for n, t in enumerate(tasks, 1):
        chunk.append(t)
        nbytes += len(t.data)
        if len(chunk) >= min(size, max(1, n // (workers * 2))) or nbytes >= max_bytes:
            yield chunk
            chunk, nbytes = [], 0
    if chunk:
        yield chunk


def crash_result(task: Task, error: BaseException) -> dict:
    """The failure recorded for a file whose worker died while parsing it, alone."""
    return crash_failure(task, type(error).__name__)


def drive(
    engine,
    chunks: Iterable[list[Task]],
    on_results: Callable[[list[dict]], None],
    control: Control | Callable[[], bool],
    window: int | None = None,
) -> bool:
    """Run every chunk on ``engine`` (``submit``/``wait``/``result``), calling ``on_results`` in this
    thread as results arrive (in completion order). The files of a chunk whose worker was lost are run
    again one at a time, so the one that kills its worker is found and recorded. Returns False when
    stopped by ``control`` before the end."""
    ctl = control if isinstance(control, Control) else None

    def must_end() -> bool:
        return (ctl.abort or ctl.grace_over()) if ctl is not None else control()  # type: ignore[operator]

    def stopping() -> bool:
        return ctl.stop if ctl is not None else control()  # type: ignore[operator]

    window = window or max(2, getattr(engine, "depth", 2) * engine.workers)
    pending: dict = {}
    retry: deque[Task] = deque()
    it = iter(chunks)
    exhausted = False
    while True:
        if must_end():
            engine.cancel(list(pending))
            return False
        while not stopping():
            if retry:
                if pending:  # files of a lost chunk run alone, so a crash names its file
                    break
                chunk, alone = [retry.popleft()], True
            elif exhausted or len(pending) >= window:
                break
            else:
                try:
                    chunk, alone = next(it), False
                except StopIteration:
                    exhausted = True
                    break
            pending[engine.submit(chunk)] = (chunk, alone)
        if not pending:
            return not stopping()
        for handle in engine.wait(list(pending), timeout=0.2):
            chunk, alone = pending.pop(handle)
            try:
                results = engine.result(handle)
            except Exception as e:  # a lost worker shows as any error: its files run again
                if stopping():  # workers stopped by the same Ctrl-C: not the files' fault
                    continue
                if hasattr(engine, "check"):
                    engine.check()
                if alone:
                    on_results([crash_result(chunk[0], e)])
                else:
                    retry.extend(chunk)
                continue
            on_results(results)
