"""The errors a user can be shown, each tied to the exit code the output contract gives it."""

from __future__ import annotations

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_NOT_A_REPORT = 4


class CoreError(Exception):
    """An error that ends a parse with a one-line message and a fixed exit code."""

    exit_code = 1

    def __init__(self, message: str):
        # One line only: the CLI prints this verbatim on stderr.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(CoreError):
    """The command was called wrongly (bad option, unknown layout name)."""

    exit_code = EXIT_USAGE


class UnreadableInput(CoreError):
    """The file cannot be read: missing, empty, undecodable, corrupt or too large."""

    exit_code = EXIT_UNREADABLE


class NotAReport(CoreError):
    """The file is readable but is not a report of the 2019/2021 national template."""

    exit_code = EXIT_NOT_A_REPORT


class PluginError(CoreError):
    """A layout plugin is malformed or two plugins claim the same name."""

    exit_code = EXIT_USAGE
