"""The plugin framework: registration, validation, guarded loading, and one test per hook."""
from __future__ import annotations

import re
import sys
import textwrap

import pytest

from conftest import ROOT
from core.detect import TIE_MARGIN, detect
from core.errors import PluginError
from core.hookspecs import hookimpl
from core.layout import TABLE, Cell, LayoutPlugin, Row
from core.registry import BUILTIN_PLUGINS, Registry
from core.source import Source

BUILTIN_TEXT_LAYOUTS = {"pipe-cells", "pipe-rows", "tab-rows", "blank-line-cells", "markdown-table", "plain-text"}


def _plugin(name, score=0.5, rows=None):
    class P:
        @hookimpl
        def core_layouts(self):
            return [LayoutPlugin(name=name, detect=lambda s: score,
                                 parse=lambda s: rows or [Row((Cell("x", line=1),), TABLE)])]
    return P()


def test_builtins_are_registered_with_their_origin(registry):
    names = {p.name for p in registry.layouts()}
    assert BUILTIN_TEXT_LAYOUTS <= names
    assert all(p.origin == "built-in" for p in registry.layouts())
    assert registry.failures == []


def test_hook_core_layouts(registry):
    """Every implementation of core_layouts is called and its records validated and named."""
    registry.load()
    registry.register(_plugin("extra-layout"), "extra", origin="zfxxgk-layout-extra", version="1.2")
    extra = registry.layout("extra-layout")
    assert (extra.origin, extra.version) == ("zfxxgk-layout-extra", "1.2")


def test_a_layout_name_taken_is_refused_naming_both_and_the_built_in_stays(registry):
    registry.load()
    registry.register(_plugin("pipe-rows"), "impostor", origin="zfxxgk-layout-impostor")
    assert registry.layout("pipe-rows").origin == "built-in"
    assert any("'pipe-rows' is already registered by built-in" in str(f) and "zfxxgk-layout-impostor" in str(f)
               for f in registry.failures)


def test_hook_core_commands(registry):
    """Every implementation of core_commands is called; a name the host or another plugin has is refused."""
    from core.command import Command

    class Extra:
        @hookimpl
        def core_commands(self):
            noop = lambda *_: 0  # noqa: E731
            return [Command("stats", "figures", noop, noop), Command("parse", "steals parse", noop, noop),
                    Command("batch", "steals batch", noop, noop)]
    registry.load()
    registry.register(Extra(), "extra", origin="zfxxgk-extra", version="0.3")
    names = {c.name: c.origin for c in registry.commands()}
    assert names == {"stats": "zfxxgk-extra", "batch": "built-in", "compare": "built-in", "review": "built-in"}
    assert sum("already registered" in str(f) for f in registry.failures) == 2


def test_a_failing_core_layouts_is_recorded_not_raised(registry):
    class Broken:
        @hookimpl
        def core_layouts(self):
            raise RuntimeError("boom")
    registry.load()
    registry.register(Broken(), "broken", origin="zfxxgk-layout-broken")
    names = {p.name for p in registry.layouts()}
    assert BUILTIN_TEXT_LAYOUTS <= names
    assert any("boom" in str(f) and "zfxxgk-layout-broken" in str(f) for f in registry.failures)


def test_a_record_of_the_wrong_type_is_recorded(registry):
    class Wrong:
        @hookimpl
        def core_layouts(self):
            return ["not a plugin"]
    registry.load()
    registry.register(Wrong(), "wrong")
    registry.layouts()
    assert any("not LayoutPlugin" in str(f) for f in registry.failures)


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Bad Name!"}, "must be"),
    ({"name": "ok-name", "api_version": 99}, "interface 99"),
    ({"name": "ok-name", "detect": "not callable"}, "callables"),
])
def test_layout_records_are_validated(kwargs, message):
    args = {"detect": lambda s: 0.0, "parse": lambda s: [], **kwargs}
    with pytest.raises(PluginError, match=message):
        LayoutPlugin(**args)


def test_loading_is_lazy_and_idempotent():
    reg = Registry(external=False)
    assert not reg._loaded
    reg.load()
    reg.load()
    assert len(reg.pm.get_plugins()) == len(BUILTIN_PLUGINS)


def test_importing_core_loads_no_plugin():
    import subprocess
    code = "import sys, core; print(any(m.startswith('plugins') for m in sys.modules), 'pluggy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.split() == ["False", "False"]


@pytest.fixture
def broken_dist(tmp_path, monkeypatch):
    """A fake installed distribution whose entry point cannot be imported, and a working one."""
    site = tmp_path / "site"
    for dist, target in (("zfxxgk_layout_broken-0.1", "zfxxgk_layout_missing_module"),
                         ("zfxxgk_layout_good-0.2", "zfxxgk_layout_good")):
        info = site / f"{dist}.dist-info"
        info.mkdir(parents=True)
        name, version = dist.rsplit("-", 1)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[zfxxgk.layouts]\n{name.split('_')[-1]} = {target}\n")
    (site / "zfxxgk_layout_good.py").write_text(textwrap.dedent("""
        from core.hookspecs import hookimpl
        from core.layout import LayoutPlugin
        @hookimpl
        def core_layouts():
            return [LayoutPlugin(name="good-layout", detect=lambda s: None, parse=lambda s: [])]
    """))
    monkeypatch.syspath_prepend(str(site))
    return site


def test_a_broken_entry_point_is_one_warning(broken_dist):
    reg = Registry(external=True, allow=None)
    names = {p.name for p in reg.layouts()}
    assert "good-layout" in names and BUILTIN_TEXT_LAYOUTS <= names
    assert reg.layout("good-layout").origin.replace("-", "_") == "zfxxgk_layout_good"
    assert [f.plugin for f in reg.failures] == ["broken"]
    assert "import failed" in str(reg.failures[0])


def test_allow_list_and_no_plugins(broken_dist, monkeypatch):
    assert "good-layout" not in {p.name for p in Registry(external=False).layouts()}
    assert "good-layout" not in {p.name for p in Registry(allow=set()).layouts()}
    monkeypatch.setenv("CORE_LOAD_PLUGINS", "zfxxgk-layout-good")
    reg = Registry()
    assert "good-layout" in {p.name for p in reg.layouts()}
    assert reg.failures == []


def test_broken_plugin_leaves_the_cli_working(broken_dist, cli):
    env = {"PYTHONPATH": str(broken_dist)}
    p = cli("plugins", env=env)
    assert p.returncode == 0
    assert b"good-layout" in p.stdout and b"broken" in p.stdout and b"Traceback" not in p.stdout + p.stderr


def test_ties_are_reported_not_settled_by_order(registry):
    registry.load()
    registry.register(_plugin("twin-a", 0.8), "a")
    registry.register(_plugin("twin-b", 0.8 - TIE_MARGIN / 2), "b")
    det = detect(Source.from_text("x"), registry.layouts())
    assert {p.name for p in det.tied} == {"twin-a", "twin-b"}


def test_a_detect_that_raises_is_recorded(registry):
    class Raises:
        @hookimpl
        def core_layouts(self):
            def boom(source):
                raise ValueError("bad detect")
            return [LayoutPlugin(name="raises", detect=boom, parse=lambda s: [])]
    registry.load()
    registry.register(Raises(), "raises")
    det = detect(Source.from_text("a | b"), registry.layouts())
    assert [(p.name, "bad detect" in e) for p, e in det.failures] == [("raises", True)]


def test_pending_hooks_are_checked(registry):
    registry.load()
    registry.pm.check_pending()  # every implementation has a spec


def test_every_hook_is_documented_and_tested(registry):
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    tests = (ROOT / "tests" / "test_plugins.py").read_text(encoding="utf-8")
    hooks = [name for name in dir(registry.pm.hook) if not name.startswith("_")]
    assert hooks
    for name in hooks:
        spec = getattr(registry.pm.hook, name).spec
        assert re.search(rf"^## {name}\b", docs, re.M), f"docs/plugins.md has no '## {name}' heading"
        assert f"{name}({', '.join(spec.argnames)})" in docs, f"docs/plugins.md lacks the signature of {name}"
        assert f"def test_hook_{name}(" in tests, f"no test_hook_{name}"
