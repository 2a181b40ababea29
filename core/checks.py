"""The template's consistency rules (勾稽关系) evaluated on the cells read, each evaluation listed with the
cells it read; a break is reported, never repaired."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.fields import FieldPath
from core.sheet import UNREAD, Sheet
from core.template import Identity, identities


@dataclass
class Check:
    """One evaluation of a consistency rule. ``expected`` is what the table states (its total or the
    received side), ``found`` what the other side adds up to."""

    rule: str
    ok: bool
    cells: list[str]
    expected: int | float
    found: int | float
    scope: dict[str, str] = field(default_factory=dict)  # {"column": ...}, {"row": ...} or {"group": ...}
    blank_cells: list[str] = field(default_factory=list)  # blank cells counted as 0
    sentence: str | None = None  # for checks of prose against the table

    def to_dict(self) -> dict:
        out: dict[str, Any] = {
            "rule": self.rule,
            "ok": self.ok,
            **self.scope,
            "cells": self.cells,
            "expected": self.expected,
            "found": self.found,
        }
        if self.blank_cells:
            out["blank_cells"] = self.blank_cells
        if self.sentence:
            out["sentence"] = self.sentence
        return out


def evaluate(identity: Identity, sheet: Sheet) -> Check | None:
    """The identity on the cells read, or None when it cannot be evaluated: a cell it reads is absent
    from the document or could not be read (its outcome would say nothing)."""
    # some forty identities a parse, each over up to twenty cells: looked up at once, tested in a loop
    stated = sheet.get_many(identity.stated)
    summed = sheet.get_many(identity.summed)
    for values in (stated, summed):
        for v in values:
            if v is None or v.state == UNREAD:
                return None
    expected, b1 = _sum(identity.stated, stated)
    found, b2 = _sum(identity.summed, summed)
    exact = not (isinstance(expected, float) or isinstance(found, float))
    ok = expected == found if exact else abs(expected - found) < 1e-6
    return Check(identity.rule, ok, list(identity.names), expected, found, dict([identity.scope]), b1 + b2)


def _sum(paths: tuple[FieldPath, ...], values: list) -> tuple[int | float, list[str]]:
    total: int | float = 0
    blanks = []
    for p, v in zip(paths, values):
        value = v.value
        if value is None:
            blanks.append(str(p))
        elif type(value) is int or type(value) is float:
            total += value
    return total, blanks


def run_checks(sheet: Sheet, fmt: str) -> list[Check]:
    """Every identity of the template that the cells read allow to evaluate."""
    out = []
    for identity in identities(fmt, sheet.rows("applications")):
        check = evaluate(identity, sheet)
        if check is not None:
            out.append(check)
    return out
