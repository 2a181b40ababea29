"""A one-line progress bar on stderr: files done, rate, failures so far, time left. Shown only when stderr
is a terminal (a log file or a pipe gets nothing but the closing summary)."""

from __future__ import annotations

import shutil
import sys
import time


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """``update(done=…, failed=…)`` as results come in; ``close()`` clears the line."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None, interval: float = 0.1):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            try:
                enabled = self.stream.isatty()
            except (AttributeError, ValueError):
                enabled = False
        self.enabled = enabled
        self.total = total
        self.done = self.failed = self.skipped = 0
        self.interval = interval
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, *, done: int = 0, failed: int = 0, skipped: int = 0, force: bool = False) -> None:
        self.done += done
        self.failed += failed
        self.skipped += skipped
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval and self.done < self.total:
            return
        self._last = now
        self._draw(now)

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.start, 1e-9)
        worked = self.done - self.skipped
        rate = worked / elapsed
        left = self.total - self.done
        eta = _clock(left / rate) if rate > 0 and worked >= 2 else "--:--"
        text = (
            f"{self.done}/{self.total} files  {rate:.1f}/s  {self.failed} failed"
            + (f"  {self.skipped} unchanged" if self.skipped else "")
            + f"  ETA {eta}"
        )
        width = shutil.get_terminal_size((80, 20)).columns
        bar_w = max(0, min(30, width - len(text) - 4))
        if bar_w >= 10 and self.total:
            filled = int(bar_w * self.done / self.total)
            text = "[" + "#" * filled + "." * (bar_w - filled) + "] " + text
        return text[: width - 1]

    def _draw(self, now: float) -> None:
        try:
            self.stream.write("\r\x1b[2K" + self.line(now))
            self.stream.flush()
            self._shown = True
        except (OSError, ValueError):
            self.enabled = False

    def close(self) -> None:
        if self.enabled and self._shown:
            try:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
