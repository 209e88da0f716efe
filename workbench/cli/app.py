"""The command group, shared options and the error policy of every command."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from workbench import __version__
from workbench.errors import EXIT_BAD_INPUT, EXIT_BUG, InputError, report_bug
from workbench.pipeline.result import StepResult
from workbench.store import StoreError

# errors that name a path the user gave (a missing or unreadable file) are bad input too
PATH_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)

workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Workspace directory.",
)


def one_line(text: str) -> str:
    r"""A message on one line: control characters (a newline in a file name, say) are
    shown escaped, so the message stays one line a person and a log reader can trust.

    >>> one_line("bad\nname.csv, line 2: expected a number")
    'bad\\nname.csv, line 2: expected a number'
    """
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class WorkbenchGroup(click.Group):
    """A click group that applies the error policy to every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (InputError, StoreError, *PATH_ERRORS) as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            try:
                where = f"The details are in {report_bug(exc)}"
            except OSError as log_exc:  # no writable log folder: the traceback goes to stderr
                traceback.print_exception(exc)
                where = f"The log file could not be written ({log_exc}); the details are above"
            click.echo(
                f"Sorry, this is a bug in the workbench, not a problem with your input "
                f"({type(exc).__name__}: {exc}).\n{where}; please attach them when you "
                "report it.",
                err=True,
            )
            sys.exit(EXIT_BUG)


def echo_step(result: StepResult, *, warnings_to_stderr: bool = True) -> None:
    """Print a step's warnings (stderr) and lines."""
    if warnings_to_stderr:
        for w in result.warnings:
            click.echo(f"warning: {w}", err=True)
    for line in result.lines:
        click.echo(line)


def progress_echo(prefix: str = "... ") -> Any:
    """An ``echo`` for a step's progress messages."""
    return lambda s: click.echo(f"{prefix}{s}")


class ProgressIter:
    """Adapt click's progressbar context manager to a plain iterable."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __iter__(self) -> Any:
        with self.bar as b:
            yield from b


def file_progress(items: list[Any]) -> Iterable[Any]:
    """A progress bar over files, on stderr."""
    return ProgressIter(
        click.progressbar(
            items,
            label="importing",
            file=sys.stderr,
            item_show_func=lambda p: Path(p).name if p else "",
        )
    )


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """GE grünt workbench: urban climate sensors and the Green Citizens' Budget."""
