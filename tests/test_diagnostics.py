"""Diagnostic codes come from one documented list (core.diagnostics.CODES), and the README's table lists
exactly that list: a user can look up every code a report carries."""
from __future__ import annotations

import re

from conftest import CORPUS, ROOT, seed_cases
from core.api import parse
from core.diagnostics import CODES
from core.errors import CoreError

# Where the code writes a diagnostic: notes.add(LEVEL, "code", …), Note("level", "code", …), the repair
# ("code", …) of a cell reading, a decoding note ("level", "code", …), or a Diagnostic(LEVEL, "code", …).
_LEVEL = r"""(?:INFO|WARNING|ERROR|note\[0\]|level|"(?:info|warning|error)")"""
_USES = re.compile(r"""(?:(?:notes\.add|Note|Diagnostic)\(\s*""" + _LEVEL + r"""\s*,|repair=\(|\(\s*"(?:info|warning)"\s*,)"""
                   r"""\s*"([a-z][a-z0-9_]+)"\s*,""")
_README_ROW = re.compile(r"^\| `([a-z][a-z0-9_]+)` \|", re.M)


def _used_in_code() -> set[str]:
    found = set()
    for path in list((ROOT / "core").rglob("*.py")) + list((ROOT / "plugins").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in _USES.finditer(text):
            found.add(m.group(1))
    return found


def test_every_code_written_by_the_code_is_documented():
    used = _used_in_code()
    assert len(used) > 20, f"the scan found too few diagnostic codes: {sorted(used)}"
    assert used <= set(CODES), sorted(used - set(CODES))


def test_every_code_a_parse_emits_is_documented():
    codes = set()
    for path in list(seed_cases()) + sorted((CORPUS / "cases").iterdir()):
        try:
            codes |= {d.code for d in parse(path).diagnostics}
        except CoreError:
            continue
    assert codes and codes <= set(CODES), sorted(codes - set(CODES))


def test_the_readme_table_lists_exactly_the_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Diagnostic codes\n", 1)[1].split("\n#", 1)[0]
    table = set(_README_ROW.findall(section))
    assert table == set(CODES), {"missing from README": sorted(set(CODES) - table),
                                 "not a code": sorted(table - set(CODES))}
