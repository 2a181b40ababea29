"""Finding, loading and validating layout plugins: built-in ones and those installed with pip."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata
from typing import Any

import pluggy

from core import guard, hookspecs
from core.command import Command
from core.errors import CoreError
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
    "zfxxgk_layouts.browser_copy",
    "zfxxgk_layouts.html_source_text",
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
    "zfxxgk_review.commands",
)
#: Comma-separated distribution names allowed to provide plugins; empty allows none but the built-ins.
ALLOW_ENV = "CORE_LOAD_PLUGINS"

BUILTIN = "built-in"
#: Subcommands of the host itself, which no plugin may take.
HOST_COMMANDS = frozenset({"parse", "detect", "plugins", "corpus-add"})


@dataclass(frozen=True)
class LoadFailure:
    """A plugin that failed (or misbehaved) while loading, kept so it can be shown instead of stopping the
    program. ``skipped``: the plugin is not used."""

    plugin: str
    origin: str
    message: str
    skipped: bool = True

    def __str__(self) -> str:
        how = "skipped" if self.skipped else "loaded, but"
        return f"plugin {self.plugin!r} from {self.origin} {how}: {self.message}"


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
            mod = self._guarded(name, BUILTIN, "import", importlib.import_module, modname)
            if mod is not None:
                self.register(mod, name, BUILTIN, _own_version())
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "unknown distribution"
            if _same_dist(dist, DISTRIBUTION) or not self._external_allowed(dist):
                continue
            version = ep.dist.version if ep.dist is not None else ""
            # a broken plugin must not take the program down: not by raising, exiting, printing or hanging
            obj = self._guarded(ep.name, dist, "import", ep.load, seconds=guard.IMPORT_SECONDS)
            if obj is not None:
                self.register(obj, ep.name, dist, version)
        self.pm.check_pending()

    def _guarded(self, name: str, origin: str, what: str, func, *args, seconds: float | None = None):
        """``func(*args)`` for plugin ``name``: its result, or None with the failure recorded."""
        try:
            result, warning = guard.call(what, func, *args, seconds=seconds)
        except (guard.PluginFault, CoreError) as e:
            self.failures.append(LoadFailure(name, origin, str(e)))
            return None
        if warning:
            self.failures.append(LoadFailure(name, origin, warning, skipped=False))
        return result

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
            seconds = None if origin == BUILTIN else guard.IMPORT_SECONDS
            records = self._guarded(
                impl.plugin_name, origin, hook, lambda f=impl.function: list(f() or ()), seconds=seconds
            )
            if records is None:
                continue
            wrong = [r for r in records if not isinstance(r, record)]
            if wrong:
                self.failures.append(
                    LoadFailure(
                        impl.plugin_name, origin, f"{hook} returned {type(wrong[0]).__name__}, not {record.__name__}"
                    )
                )
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
