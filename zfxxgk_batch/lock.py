"""One writer per batch database: ``.OUT.db.lock`` beside it, locked for the whole run.

A second run on the same database is refused before it touches anything (the database, the part
databases of the first run); a run that was killed leaves an unlocked file that the next run takes over.
The lock is an ``flock`` (``msvcrt.locking`` on Windows) held by the main process: the operating system
drops it when the process ends, however it ends. The file holds the pid of its holder, for the message.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from core.errors import UsageError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class DatabaseBusy(UsageError):
    """Another batch is writing the database (exit 2)."""


def lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.lock")


class WriterLock:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        # one lock per database file, whatever name (a link, another spelling) reaches it
        self.path = lock_path(Path(os.path.realpath(self.db_path)))
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`DatabaseBusy` at once."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                _lock(fd)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                by = f" (process {holder})" if holder else ""
                raise DatabaseBusy(
                    f"{self.db_path} is being written by another batch{by}: wait for it to end, or write to another -o"
                ) from None
            # The holder before us may have removed the file between our open and our lock: then we hold
            # a lock on a file nobody else will open, so try again on the one at the path now.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except OSError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise DatabaseBusy(f"{self.db_path}: its lock file {self.path} keeps changing; is another batch starting?")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()  # while still holding it: see acquire
        try:
            os.close(self.fd)
        finally:
            self.fd = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)


def _read_pid(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
