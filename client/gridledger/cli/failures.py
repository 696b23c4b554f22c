"""How the `gridledger` command and its groups end on the project's own errors.

Every group is made with ``cls=OneLineErrors``: a ``GridLedgerError`` escaping one of its
commands is printed on stderr as one line, ``<command path>: <first line of the message>`` (e.g.
``gridledger network: port(s) already in use on ...``), and the command exits with status 1,
never with a traceback (``gridledger_domain.command`` does the same for commands that are not
Typer apps). A group added to another keeps its own handling, so it also holds when the group
is run on its own.
"""

from __future__ import annotations

from typing import Any

import typer
from gridledger.errors import GridLedgerError
from gridledger_domain.command import report_error
from typer.core import TyperGroup


class OneLineErrors(TyperGroup):
    """A command group whose commands' ``GridLedgerError``s become one line and status 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GridLedgerError as error:
            raise typer.Exit(report_error(_command_path(ctx), error)) from error


def _command_path(ctx: Any) -> str:
    """``gridledger network fabric``: the root by its name, however it was started."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    names.append(ctx.command.name or ctx.info_name)
    return " ".join(reversed(names))
