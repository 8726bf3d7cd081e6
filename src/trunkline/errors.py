"""Error classes and the exit codes they map to.

Exit codes (the contract in ``docs/design.md``):

* 0 success
* 1 the job ran and found problems (:class:`FindingsError`)
* 2 bad usage or bad input (:class:`BadInputError`)
* 3 environment: privileges, kernel features, unreachable services (:class:`EnvironmentProblem`)

Every message is one line that names the thing at fault and the fix; the CLI prints it on stderr
without a traceback (``--debug`` shows the traceback).
"""

from __future__ import annotations


class TrunklineError(Exception):
    """Base class of every error trunkline reports to a user.

    Attributes:
        exit_code: the process exit code the CLI uses for this error.
    """

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FindingsError(TrunklineError):
    """The job ran and found problems (exit code 1)."""

    exit_code = 1


class BadInputError(TrunklineError):
    """Bad usage or bad input: a malformed file, an unknown interface, wrong credentials (exit code 2)."""

    exit_code = 2


class EnvironmentProblem(TrunklineError):
    """The environment cannot do the job: missing privileges, kernel features, unreachable services.

    Exit code 3.
    """

    exit_code = 3


def nested_too_deeply(source: str) -> str:
    """The one-line message for an input whose lists and mappings nest deeper than the parsers recurse
    (Python's recursion limit, about 1000 levels; no inventory or manifest nests beyond a few dozen)."""
    return (
        f"{source}: nested too deeply (lists or mappings inside each other hundreds of levels deep); "
        "this is not an inventory or manifest: check the file"
    )
