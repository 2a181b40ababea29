"""A faster ``__init__`` for the frozen, slotted dataclasses a parse builds by the thousand (cells, rows,
cell readings, values): the same signature and the same object, built in about half the time."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Give a ``@dataclass(frozen=True, slots=True)`` class an ``__init__`` that writes each field through
    its slot's descriptor.

    The dataclass's own frozen ``__init__`` looks ``object.__setattr__`` up and calls it for every field;
    on a record of seven fields that is most of the cost of building it, and a parse builds every cell of
    the document once in its layout and again in the core. The slot descriptors' ``__set__`` bypass the
    frozen ``__setattr__`` the same way, bound once here. Only plain fields with constant defaults are
    supported (no ``default_factory``, no ``__post_init__``, no keyword-only fields): anything else keeps
    the dataclass's ``__init__``.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if (
        hasattr(cls, "__post_init__")
        or "__slots__" not in cls.__dict__
        or any(not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in fields)
    ):
        return cls
    names = [f.name for f in fields]
    defaults = {f"_d_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    setters = {f"_s_{n}": cls.__dict__[n].__set__ for n in names}
    params = ", ".join(n if f"_d_{n}" not in defaults else f"{n}=_d_{n}" for n in names)
    body = "\n".join(f"        _s_{n}(self, {n})" for n in names)
    # The setters and defaults are the factory's arguments, so the __init__ reads them as closure cells.
    source = (
        f"def _factory({', '.join([*setters, *defaults])}):\n"
        f"    def __init__(self, {params}):\n{body}\n"
        f"    return __init__\n"
    )
    namespace: dict = {}
    exec(source, {}, namespace)
    init = namespace["_factory"](**setters, **defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
