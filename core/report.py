"""The parsed report: the output contract's JSON shape as one object, made once at the end of a parse."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from core.checks import Check
from core.diagnostics import ERROR, INFO, WARNING, Diagnostic
from core.fields import FieldPath

__all__ = ["ERROR", "INFO", "WARNING", "Check", "Diagnostic", "Report"]


@dataclass
class Report:
    meta: dict = field(default_factory=dict)
    active_disclosure: dict = field(default_factory=dict)
    applications: dict = field(default_factory=dict)
    review_litigation: dict = field(default_factory=dict)
    text: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    #: How sure the parse is of each cell: confirmed, unconfirmed, conflict, unread or blank (core.status).
    status: dict = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level in (WARNING, ERROR)]

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def value(self, path: str | FieldPath):
        """A value by its field path, e.g. ``applications.total.natural_person``."""
        p = path if isinstance(path, FieldPath) else FieldPath.parse(path)
        data = getattr(self, p.section)
        if p.section == "active_disclosure":
            return data.get(p.field)
        return data.get(p.row, {}).get(p.column)

    def to_dict(self) -> dict:
        return {
            "meta": self.meta,
            "active_disclosure": self.active_disclosure,
            "applications": self.applications,
            "review_litigation": self.review_litigation,
            "text": self.text,
            "provenance": self.provenance,
            "status": self.status,
            "checks": [c.to_dict() for c in self.checks],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
