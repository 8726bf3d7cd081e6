"""Command line interface: argument parsing, one call into the core, rendering.

Each sub-command lives in its own module and adds itself to :data:`app` through ``register(app)``.
:func:`main` turns :class:`~trunkline.errors.TrunklineError` into one line on stderr and its exit code.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

import typer
from typer import Abort

# typer 0.29 vendors click (typer._click) and raises its own exception classes (pinned in pyproject.toml)
from typer._click import Command, Context
from typer._click.exceptions import ClickException
from typer.core import TyperArgument, TyperOption

from trunkline import __version__
from trunkline.errors import TrunklineError

HELP_OPTION_NAMES = ["-h", "--help"]

app = typer.Typer(
    name="trunkline",
    help="Replicate a vSphere network design on OpenShift Virtualization and see what crosses the trunk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # markdown: a docstring's lines are joined into paragraphs (rich mode keeps every line break)
    rich_markup_mode="markdown",
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trunkline {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = debug


def _register_all() -> None:
    from trunkline.cli import count, inventory, lab, plan, validate, verify

    for module in (count, inventory, plan, validate, verify, lab):
        module.register(app)


_register_all()


def _argument_usage(name: str, required: bool, many: bool) -> Callable[[object], list[str]]:
    piece = (name if required else f"[{name}]") + ("..." if many else "")
    return lambda ctx: [piece]


def tidy_help(command: Command) -> Command:
    """Make typer's help read like other Unix tools, for *command* and all its sub-commands.

    typer 0.29 shows a ``<bool>`` type after every flag (so ``--strict true`` looks valid) and writes
    arguments in usage lines as ``{NAME}`` (required), ``[NAME]`` (optional) or with the declared metavar
    doubled (``[[FILE]]``). Here flags show no type; an argument's name is its metavar in upper case
    (``PLAN_DIR``; ``IFACE...`` when it takes several), in usage lines ``PLAN_DIR IFACE...`` and
    ``[FILE]``; its type column is dropped (the name says it). Returns *command*.
    """
    commands: list[Command] = [command]
    while commands:
        cmd = commands.pop()
        commands.extend(getattr(cmd, "commands", {}).values())
        help_option = cmd.get_help_option(Context(cmd, help_option_names=HELP_OPTION_NAMES))
        for param in [*cmd.params, *([help_option] if help_option is not None else [])]:
            if isinstance(param, TyperOption) and param.is_bool_flag:
                param.metavar = ""
            elif isinstance(param, TyperArgument):
                base = (param.metavar or param.name or "ARG").strip("[]{}").rstrip(".").upper()
                many = param.nargs != 1
                param.metavar = base + ("..." if many else "")
                param.get_usage_pieces = _argument_usage(  # type: ignore[method-assign,assignment]
                    base, param.required, many)
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    return command


class StderrFormat(logging.Formatter):
    """Log records on stderr like the CLI's own messages, whoever logs them (trunkline's modules, waitress):
    ``trunkline: warning: MESSAGE`` below ERROR, ``trunkline: MESSAGE`` (and any traceback) from ERROR on,
    so that a run's one ``trunkline: error:`` line stays the one that ends it."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return f"trunkline: warning: {text}" if record.levelno < logging.ERROR else f"trunkline: {text}"


class _Stderr(logging.StreamHandler):
    """A stream handler writing to whatever ``sys.stderr`` is when a record comes (tests swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        del value


def log_to_stderr() -> None:
    """Send warnings and errors logged anywhere in the process to stderr through :class:`StderrFormat`
    (once; without it Python's last-resort handler prints them bare)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, StderrFormat) for h in root.handlers):
        handler = _Stderr()
        handler.setFormatter(StderrFormat("%(message)s"))
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the code of ``docs/design.md`` (0, 1, 2 or 3)."""
    args = list(sys.argv[1:] if argv is None else argv)
    log_to_stderr()
    command = typer.main.get_command(app)
    # A typer release that moved these internals leaves help as typer writes it; commands work the same.
    with contextlib.suppress(AttributeError, TypeError):
        tidy_help(command)
    try:
        code = command.main(args=args, prog_name="trunkline", standalone_mode=False)
    except TrunklineError as exc:
        if _state["debug"] or "--debug" in args:
            traceback.print_exc()
        print(f"trunkline: error: {exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except Abort:
        print("trunkline: aborted", file=sys.stderr)
        sys.exit(130)
    except ClickException as exc:
        # One line like every other error, naming where the usage is explained.
        message = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        where = f" (see '{ctx.command_path} -h')" if ctx is not None else ""
        print(f"trunkline: error: {message}{where}", file=sys.stderr)
        sys.exit(2 if exc.exit_code not in (0, 1) else exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
