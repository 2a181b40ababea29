"""The parsed report: the output contract's JSON shape as typed objects."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

INFO, WARNING, ERROR = "info", "warning", "error"


@dataclass
class Diagnostic:
    level: str          # info: a certain repair; warning: a value that may be wrong or was not read;
    code: str           # error: a section missing or unreadable
    where: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Check:
    """One evaluation of a consistency rule. ``expected`` is what the table states (its total or the
    received side), ``found`` what the other side adds up to."""

    rule: str
    ok: bool
    cells: list[str]
    expected: int | float
    found: int | float
    scope: dict[str, str] = field(default_factory=dict)   # {"column": ...}, {"row": ...} or {"group": ...}
    blank_cells: list[str] = field(default_factory=list)  # blank cells counted as 0
    sentence: str | None = None                           # for checks of prose against the table

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"rule": self.rule, "ok": self.ok, **self.scope, "cells": self.cells,
                               "expected": self.expected, "found": self.found}
        if self.blank_cells:
            out["blank_cells"] = self.blank_cells
        if self.sentence:
            out["sentence"] = self.sentence
        return out


@dataclass
class Report:
    meta: dict = field(default_factory=dict)
    active_disclosure: dict = field(default_factory=dict)
    applications: dict = field(default_factory=dict)
    review_litigation: dict = field(default_factory=dict)
    text: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def note(self, level: str, code: str, where: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(level, code, where, message))

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level in (WARNING, ERROR)]

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def value(self, path: str):
        """A value by its dotted output path, e.g. ``applications.total.natural_person``."""
        section, rest = path.split(".", 1)
        data = getattr(self, section)
        if section == "active_disclosure":
            return data.get(rest)
        row, col = rest.rsplit(".", 1)
        return data.get(row, {}).get(col)

    def to_dict(self) -> dict:
        return {
            "meta": self.meta,
            "active_disclosure": self.active_disclosure,
            "applications": self.applications,
            "review_litigation": self.review_litigation,
            "text": self.text,
            "provenance": self.provenance,
            "checks": [c.to_dict() for c in self.checks],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
