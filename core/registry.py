"""Finding, loading and validating layout plugins: built-in ones and those installed with pip."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata
from typing import Any

import pluggy

from core import hookspecs
from core.command import Command
from core.errors import CoreError, PluginError
from core.layout import LayoutPlugin

#: Entry-point groups third-party plugins register under: layouts, and subcommands of ``python -m core``.
ENTRY_POINT_GROUPS = ("zfxxgk.layouts", "zfxxgk.commands")
#: Our own distribution: plugins it provides are shown as built-in.
DISTRIBUTION = "zfxxgk"
#: Built-in plugin modules, registered the same way as third-party ones (through their hooks).
BUILTIN_PLUGINS = (
    "zfxxgk_layouts.pipe_cells",
    "zfxxgk_layouts.pipe_rows",
    "zfxxgk_layouts.tab_rows",
    "zfxxgk_layouts.blank_line_cells",
    "zfxxgk_layouts.markdown_table",
    "zfxxgk_layouts.plain_text",
    "zfxxgk_layouts.glued_text",
    "zfxxgk_layouts.space_aligned",
    "zfxxgk_layouts.line_cells",
    "zfxxgk_layouts.html",
    "zfxxgk_layouts.docx",
    "zfxxgk_layouts.word97",
    "zfxxgk_layouts.pdf",
    "zfxxgk_batch.commands",
)
#: Comma-separated distribution names allowed to provide plugins; empty allows none but the built-ins.
ALLOW_ENV = "CORE_LOAD_PLUGINS"

BUILTIN = "built-in"
#: Subcommands of the host itself, which no plugin may take.
HOST_COMMANDS = frozenset({"parse", "detect", "plugins", "corpus-add"})


@dataclass(frozen=True)
class LoadFailure:
    """A plugin that could not be loaded, kept so it can be shown instead of stopping the program."""

    plugin: str
    origin: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} from {self.origin} skipped: {self.message}"


class Registry:
    """A pluggy manager plus the layouts its plugins registered. Loads lazily, once."""

    def __init__(self, *, external: bool = True, allow: set[str] | None = None):
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.external = external
        if allow is None and ALLOW_ENV in os.environ:
            allow = {a.strip() for a in os.environ[ALLOW_ENV].split(",") if a.strip()}
        self.allow = allow
        self.failures: list[LoadFailure] = []
        self._origins: dict[str, tuple[str, str]] = {}
        self._layouts: list[LayoutPlugin] | None = None
        self._commands: list[Command] | None = None
        self._loaded = False

    # -- loading -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Register the built-in plugins and, unless disabled, every installed one. Idempotent."""
        if self._loaded:
            return
        self._loaded = True
        for modname in BUILTIN_PLUGINS:
            name = _short(modname)
            try:
                mod = importlib.import_module(modname)
            except Exception as e:
                self.failures.append(LoadFailure(name, BUILTIN, f"import failed: {type(e).__name__}: {e}"))
                continue
            self.register(mod, name, BUILTIN, _own_version())
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "unknown distribution"
            if _same_dist(dist, DISTRIBUTION) or not self._external_allowed(dist):
                continue
            version = ep.dist.version if ep.dist is not None else ""
            try:
                obj = ep.load()
            except Exception as e:  # a broken plugin must not take the program down
                self.failures.append(LoadFailure(ep.name, dist, f"import failed: {type(e).__name__}: {e}"))
                continue
            self.register(obj, ep.name, dist, version)
        self.pm.check_pending()

    def register(self, obj, name: str, origin: str = BUILTIN, version: str = "") -> bool:
        """Register one plugin object (module or instance); a failure is recorded, not raised."""
        if self.pm.has_plugin(name) or self.pm.is_blocked(name):
            return False
        try:
            self.pm.register(obj, name=name)
        except Exception as e:
            self.failures.append(LoadFailure(name, origin, f"registration failed: {e}"))
            return False
        self._origins[name] = (origin, version)
        self._layouts = self._commands = None
        return True

    def _external_allowed(self, dist: str) -> bool:
        if not self.external:
            return False
        return self.allow is None or any(_same_dist(dist, a) for a in self.allow)

    # -- layouts -----------------------------------------------------------------------------------
    def layouts(self) -> list[LayoutPlugin]:
        """Every valid layout, sorted by name."""
        if self._layouts is None:
            self._layouts = self._collect("core_layouts", LayoutPlugin, "layout")
        return self._layouts

    def commands(self) -> list[Command]:
        """Every valid subcommand plugins add, sorted by name (names the host uses are refused)."""
        if self._commands is None:
            self._commands = self._collect("core_commands", Command, "command", taken=HOST_COMMANDS)
        return self._commands

    def _collect(self, hook: str, record: type, what: str, taken: frozenset[str] = frozenset()) -> list:
        """The records every implementation of ``hook`` returns, each stamped with its origin. A broken
        implementation or a name already taken is a recorded failure, never a dead host: built-ins come
        first, so a plugin cannot displace them."""
        self.load()
        seen: dict[str, Any] = {}
        for impl in sorted(
            getattr(self.pm.hook, hook).get_hookimpls(),
            key=lambda i: self._origins.get(i.plugin_name, ("", ""))[0] != BUILTIN,
        ):
            origin, version = self._origins.get(impl.plugin_name, (impl.plugin_name, ""))
            try:
                records = list(impl.function() or ())
                for rec in records:
                    if not isinstance(rec, record):
                        raise PluginError(f"{hook} returned {type(rec).__name__}, not {record.__name__}")
            except Exception as e:
                msg = e.message if isinstance(e, CoreError) else f"{type(e).__name__}: {e}"
                self.failures.append(LoadFailure(impl.plugin_name, origin, f"{hook} failed: {msg}"))
                continue
            for rec in records:
                rec = replace(rec, origin=origin, version=version)
                other = seen.get(rec.name)
                if other is not None or rec.name in taken:
                    by = other.origin if other is not None else "the host"
                    self.failures.append(
                        LoadFailure(impl.plugin_name, origin, f"{what} {rec.name!r} is already registered by {by}")
                    )
                    continue
                seen[rec.name] = rec
        return sorted(seen.values(), key=lambda r: r.name)

    def layout(self, name: str) -> LayoutPlugin:
        for rec in self.layouts():
            if rec.name == name:
                return rec
        from core.errors import UsageError

        known = ", ".join(r.name for r in self.layouts())
        raise UsageError(f"no layout plugin named {name!r} (installed: {known})")


def _entry_points() -> list[metadata.EntryPoint]:
    try:
        return [ep for group in ENTRY_POINT_GROUPS for ep in metadata.entry_points(group=group)]
    except Exception:  # broken metadata of some unrelated distribution
        return []


def _short(modname: str) -> str:
    """The registered name of a built-in module: its last part, "pipe-cells"; "batch" for zfxxgk_batch."""
    head, _, last = modname.rpartition(".")
    return (head.removeprefix("zfxxgk_") if last == "commands" else last).replace("_", "-")


def _same_dist(a: str, b: str) -> bool:
    def norm(s):
        return s.lower().replace("_", "-").replace(".", "-")

    return norm(a) == norm(b)


@cache
def _own_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "source tree"


@cache
def default_registry(external: bool = True) -> Registry:
    """The process-wide registry (built once, on first use)."""
    return Registry(external=external)
