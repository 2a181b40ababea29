"""Finding, loading and validating layout plugins: built-in ones and those installed with pip."""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata

import pluggy

from core import hookspecs
from core.errors import CoreError, PluginError
from core.layout import LayoutPlugin

#: Entry-point group every layout plugin is registered under, the built-in ones included.
ENTRY_POINT_GROUP = "zfxxgk.layouts"
#: Our own distribution: plugins it provides are shown as built-in.
DISTRIBUTION = "zfxxgk"
#: Built-in plugin modules. They are also declared as entry points in pyproject.toml; this list registers
#: them when the project runs from a source tree that was never installed.
BUILTIN_PLUGINS = (
    "plugins.pipe_cells",
    "plugins.pipe_rows",
    "plugins.tab_rows",
    "plugins.blank_line_cells",
    "plugins.markdown_table",
    "plugins.plain_text",
    "plugins.glued_text",
    "plugins.space_aligned",
    "plugins.line_cells",
    "plugins.html",
    "plugins.docx",
    "plugins.word97",
    "plugins.pdf",
)
#: Comma-separated distribution names allowed to provide plugins; empty allows none but the built-ins.
ALLOW_ENV = "CORE_LOAD_PLUGINS"

BUILTIN = "built-in"


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
        self._loaded = False

    # -- loading -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Register the built-in plugins and, unless disabled, every installed one. Idempotent."""
        if self._loaded:
            return
        self._loaded = True
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else "unknown distribution"
            builtin = _same_dist(dist, DISTRIBUTION)
            if not builtin and not self._external_allowed(dist):
                continue
            origin = BUILTIN if builtin else dist
            version = ep.dist.version if ep.dist is not None else ""
            try:
                obj = ep.load()
            except Exception as e:  # a broken plugin must not take the program down
                self.failures.append(LoadFailure(ep.name, origin, f"import failed: {type(e).__name__}: {e}"))
                continue
            self.register(obj, ep.name, origin, version)
        for modname in BUILTIN_PLUGINS:
            if self.pm.has_plugin(_short(modname)):
                continue
            try:
                mod = importlib.import_module(modname)
            except Exception as e:
                self.failures.append(LoadFailure(_short(modname), BUILTIN, f"import failed: {e}"))
                continue
            self.register(mod, _short(modname), BUILTIN, _own_version())
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
        self._layouts = None
        return True

    def _external_allowed(self, dist: str) -> bool:
        if not self.external:
            return False
        return self.allow is None or any(_same_dist(dist, a) for a in self.allow)

    # -- layouts -----------------------------------------------------------------------------------
    def layouts(self) -> list[LayoutPlugin]:
        """Every valid layout, sorted by name. Duplicate names raise :class:`PluginError` naming both."""
        self.load()
        if self._layouts is not None:
            return self._layouts
        seen: dict[str, LayoutPlugin] = {}
        for impl in self.pm.hook.core_layouts.get_hookimpls():
            origin, version = self._origins.get(impl.plugin_name, (impl.plugin_name, ""))
            try:
                records = list(impl.function() or ())
                for rec in records:
                    if not isinstance(rec, LayoutPlugin):
                        raise PluginError(f"core_layouts returned {type(rec).__name__}, not LayoutPlugin")
            except Exception as e:
                msg = e.message if isinstance(e, CoreError) else f"{type(e).__name__}: {e}"
                self.failures.append(LoadFailure(impl.plugin_name, origin, f"core_layouts failed: {msg}"))
                continue
            for rec in records:
                rec = replace(rec, origin=origin, version=version)
                if rec.name in seen:
                    other = seen[rec.name]
                    raise PluginError(f"conflicting layout plugins: {rec.name!r} is registered by "
                                      f"{other.origin} and by {rec.origin}")
                seen[rec.name] = rec
        self._layouts = sorted(seen.values(), key=lambda r: r.name)
        return self._layouts

    def layout(self, name: str) -> LayoutPlugin:
        for rec in self.layouts():
            if rec.name == name:
                return rec
        from core.errors import UsageError
        known = ", ".join(r.name for r in self.layouts())
        raise UsageError(f"no layout plugin named {name!r} (installed: {known})")


def _entry_points():
    try:
        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # broken metadata of some unrelated distribution
        return []


def _short(modname: str) -> str:
    return modname.rsplit(".", 1)[-1].replace("_", "-")


def _same_dist(a: str, b: str) -> bool:
    norm = lambda s: s.lower().replace("_", "-").replace(".", "-")
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
