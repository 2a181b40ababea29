"""Placeholder: this layout is being written (issue 5). It registers nothing yet."""
from core.hookspecs import hookimpl


@hookimpl
def core_layouts():
    return []
