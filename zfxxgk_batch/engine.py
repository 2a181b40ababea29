"""Where the parsing runs: a local pool of worker processes (``-j N``), or a Dask distributed cluster
(``--engine dask``, with ``--scheduler ADDRESS`` or a local cluster). Both run
:func:`zfxxgk_batch.worker.parse_chunk` on chunks of files. Local workers write the reports they parse into
part databases of their own (merged into the output by the main process at the end, in bulk); Dask
workers, which may be on other machines, send the rows back and the main process writes them.

:func:`drive` keeps a bounded number of chunks in flight (memory stays flat whatever the number of
files), stops cleanly when asked (Ctrl-C), and survives a worker that dies (a crash in a native library,
the out-of-memory killer): the files of the lost chunks are parsed again one at a time, alone, so the
file that kills its worker is found and recorded as a failure while every other file is parsed.
"""
from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

from zfxxgk_batch.worker import Task, init_worker, parse_chunk


class Engine:
    name = "engine"
    workers = 1
    #: chunks kept in flight per worker
    depth = 2

    def submit(self, chunk: list[Task]):
        raise NotImplementedError

    def wait(self, handles: list, timeout: float) -> list:
        """The handles among ``handles`` that are done (waits at most ``timeout`` seconds)."""
        raise NotImplementedError

    def result(self, handle) -> list[dict]:
        raise NotImplementedError

    def cancel(self, handles: list) -> None:
        pass

    def close(self) -> None:
        pass

    def check(self) -> None:
        """Raise when the engine itself is gone (not one file's fault)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalEngine(Engine):
    """A pool of ``workers`` processes on this machine (forked where possible, so workers start with the
    plugins the main process already loaded)."""

    name = "local"

    def __init__(self, workers: int | None = None, no_plugins: bool = False, parts: str | None = None,
                 version: str | None = None):
        import multiprocessing

        self.workers = max(1, workers or os.cpu_count() or 1)
        self.no_plugins = no_plugins
        #: directory where workers write their part databases (see ``worker.parse_chunk``)
        self.parts = parts
        self.version = version
        methods = multiprocessing.get_all_start_methods()
        # Forking a process that runs other threads (an event loop, a Dask client) is unsafe.
        method = "fork" if "fork" in methods and threading.active_count() == 1 else (
            "forkserver" if "forkserver" in methods else "spawn")
        self._ctx = multiprocessing.get_context(method)
        self._ex = None
        self._broken = False

    def _executor(self):
        from concurrent.futures import ProcessPoolExecutor

        if self._ex is None or self._broken:
            if self._ex is not None:
                self._ex.shutdown(wait=False, cancel_futures=True)
            self._ex = ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=init_worker,
                                           initargs=(self.no_plugins,))
            self._broken = False
        return self._ex

    def submit(self, chunk):
        return self._executor().submit(parse_chunk, chunk, self.no_plugins, self.parts, self.version)

    def wait(self, handles, timeout):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(handles, timeout=timeout, return_when=FIRST_COMPLETED)
        return list(done)

    def result(self, handle):
        from concurrent.futures.process import BrokenProcessPool

        try:
            return handle.result()
        except BrokenProcessPool:
            self._broken = True
            raise

    def cancel(self, handles):
        for h in handles:
            h.cancel()

    def close(self):
        if self._ex is not None:
            self._ex.shutdown(wait=True, cancel_futures=True)
            self._ex = None


class DaskEngine(Engine):
    """A Dask distributed cluster: the scheduler at ``address``, or a local cluster of ``workers``
    single-threaded worker processes when no address is given. Files travel to the workers as bytes, so
    workers need the same zfxxgk (and plugins), not the same file system."""

    name = "dask"
    depth = 4  # a round trip through the scheduler costs more than a local pipe

    def __init__(self, address: str | None = None, workers: int | None = None, no_plugins: bool = False,
                 cluster_kwargs: dict | None = None):
        from core.errors import UsageError

        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("--engine dask needs dask.distributed: pip install 'zfxxgk[dask]'") from None
        import logging

        self.no_plugins = no_plugins
        self._cluster = None
        if address:
            try:
                self.client = Client(address, timeout="10s")
            except Exception as e:
                raise UsageError(f"--scheduler {address}: cannot connect ({type(e).__name__}: {e})") from None
        else:
            kw = {"n_workers": max(1, workers or os.cpu_count() or 1), "threads_per_worker": 1,
                  "processes": True, "dashboard_address": ":0", "silence_logs": logging.ERROR}
            kw.update(cluster_kwargs or {})
            self._cluster = LocalCluster(**kw)
            self.client = Client(self._cluster)
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))
        self.address = self.client.scheduler.address

    def versions(self) -> dict[str, str]:
        """Each worker's parser version (loads the plugins on every worker)."""
        from zfxxgk_batch.worker import parser_version

        return self.client.run(parser_version, self.no_plugins)

    def submit(self, chunk):
        return self.client.submit(parse_chunk, chunk, self.no_plugins, pure=False)

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
        try:
            self.client.cancel(handles)
        except Exception:
            pass

    def check(self):
        from core.errors import CoreError

        if self.client.status not in ("running", "connecting"):
            err = CoreError(f"the Dask scheduler at {self.address} is gone ({self.client.status})")
            raise err

    def close(self):
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def crash_result(task: Task, error: BaseException) -> dict:
    """The failure recorded for a file whose worker died while parsing it, alone."""
    return {"path": task.path, "sha256": task.sha256, "size": len(task.data), "ok": False, "exit_code": 1,
            "reason": "crashed",
            "message": f"{Path(task.path).name}: the worker died while parsing this file ({type(error).__name__})"}


def drive(engine: Engine, chunks: Iterable[list[Task]], on_results: Callable[[list[dict]], None],
          should_stop: Callable[[], bool], window: int | None = None) -> bool:
    """Run every chunk on ``engine``, calling ``on_results`` in this thread as results arrive (in
    completion order). Returns False when stopped by ``should_stop`` before the end."""
    window = window or max(2, engine.depth * engine.workers)
    pending: dict = {}
    retry: deque[Task] = deque()
    it = iter(chunks)
    exhausted = False
    while True:
        while not should_stop():
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
        if should_stop():
            engine.cancel(list(pending))
            return False
        if not pending:
            return True
        for handle in engine.wait(list(pending), timeout=0.2):
            chunk, alone = pending.pop(handle)
            try:
                results = engine.result(handle)
            except Exception as e:
                if should_stop():  # workers stopped by the same Ctrl-C: not the files' fault
                    continue
                engine.check()
                if alone:
                    on_results([crash_result(chunk[0], e)])
                else:
                    retry.extend(chunk)
                continue
            on_results(results)
