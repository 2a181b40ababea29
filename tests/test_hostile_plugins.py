"""Plugins that misbehave cannot take the host down: a plugin that exits, prints, hangs, returns garbage or
changes the file it is shown, installed as a real distribution (a dist-info on the path), leaves `parse`,
`detect` and `batch` working, with one warning line naming it; `--no-plugins` leaves it out."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, SEEDS, seed_cases

SEED = next(iter(seed_cases()), None)
pytestmark = pytest.mark.skipif(SEED is None, reason="../shared/seeds is not beside the project")

#: name -> (code run at import, detect's body, parse's body). Each registers a layout that claims every
#: text file strongly (None for the import: the module stops before it registers anything).
HOSTILE = {
    "exit_at_import": ("import sys\nsys.exit(0)\n", None, None),
    "print_at_import": ("print('hello from a plugin')\n", "pass", "pass"),
    "exit_in_detect": ("", "import sys; sys.exit(3)", "pass"),
    "hang_in_detect": ("", "import time; time.sleep(600)", "pass"),
    "hang_at_import": ("import time\ntime.sleep(600)\n", None, None),
    "hang_in_parse": ("", "pass", "import time; time.sleep(600)"),
    "garbage_rows": ("", "pass", "return [42, 'not a row', None]"),
    "changes_the_source": ("", "object.__setattr__(source, 'data', b'x'); object.__setattr__(source, 'name', 'gone')",
                           "pass"),
    "raises_in_parse": ("", "pass", "raise RuntimeError('boom')"),
}
LAYOUT = textwrap.dedent("""
    from core.sdk import LayoutPlugin, hookimpl

    def detect(source):
        DETECT
        return 0.99

    def parse(source):
        PARSE
        return []

    @hookimpl
    def core_layouts():
        return [LayoutPlugin(name="NAME", detect=detect, parse=parse)]
""")


def _install(site, name: str) -> None:
    mod = f"zfxxgk_layout_{name}"
    at_import, detect, parse = HOSTILE[name]
    source = at_import
    if detect is not None:
        source += LAYOUT.replace("DETECT", detect).replace("PARSE", parse).replace("NAME", name.replace("_", "-"))
    (site / f"{mod}.py").write_text(source, encoding="utf-8")
    info = site / f"zfxxgk_layout_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: zfxxgk-layout-{name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[zfxxgk.layouts]\n{name} = {mod}\n")


def _cli(site, *args, timeout=90):
    env = dict(os.environ, PYTHONPATH=str(site), ZFXXGK_PLUGIN_SECONDS="3")
    env.pop("CORE_LOAD_PLUGINS", None)
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def expected_json():
    p = subprocess.run([sys.executable, "-m", "core", "--no-plugins", "parse", str(SEED)], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    out = json.loads(p.stdout)
    return {k: out[k] for k in ("active_disclosure", "applications", "review_litigation")}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_plugin_leaves_parse_detect_and_batch_working(name, tmp_path, expected_json):
    site = tmp_path / "site"
    site.mkdir()
    _install(site, name)
    t = time.monotonic()
    p = _cli(site, "parse", SEED)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)   # nothing the plugin printed reached the JSON
    assert {k: out[k] for k in expected_json} == expected_json
    assert out["meta"]["layout"] != name.replace("_", "-")
    layout = name.replace("_", "-")
    named = [d for d in out["diagnostics"] if d["code"] == "plugin_failed" and (layout in d["message"] or
                                                                              name in d["message"])]
    if name != "changes_the_source":   # its detect changed only its own copy: the values above are right
        assert len(named) == 1 and named[0]["level"] == "warning", out["diagnostics"]

    p = _cli(site, "detect", SEED)
    assert p.returncode == 0 and ("best: " in p.stdout or "tie: " in p.stdout), p.stdout + p.stderr
    p = _cli(site, "batch", SEED, "-o", tmp_path / "out.db", "--no-progress")
    assert p.returncode == 0, p.stdout + p.stderr
    assert time.monotonic() - t < 80
    p = _cli(site, "--no-plugins", "plugins")
    assert p.returncode == 0 and name not in p.stdout and "warning" not in p.stdout


def test_hostile_plugins_are_each_named_by_one_warning_line_in_plugins(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("exit_at_import", "print_at_import", "garbage_rows"):
        _install(site, name)
    p = _cli(site, "plugins")
    assert p.returncode == 0, p.stderr
    warnings = [ln for ln in p.stdout.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 2, p.stdout   # the garbage one only misbehaves when it parses
    assert any("exit_at_import" in w and "sys.exit(0)" in w for w in warnings)
    assert any("print_at_import" in w and "standard output" in w for w in warnings)
    assert "hello from a plugin" not in p.stdout.split("warning:")[0]
