"""How every GridLedger command ends on one of the project's own errors: one line, status 1.

A command's ``main`` runs under ``run_command``; a ``GridLedgerError`` that escapes it is printed
as ``prog: <first line of its message>`` on stderr (the rest of a long message, such as a
process's log tail, goes to the debug log) and the command exits with status 1. Any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from gridledger_domain.errors import GridLedgerError

EXIT_FAILURE = 1

logger = logging.getLogger(__name__)


def error_line(error: GridLedgerError) -> str:
    """The first line of the error's message (its class name if the message is empty)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def report_error(prog: str, error: GridLedgerError) -> int:
    """Print ``prog: <error line>`` on stderr; return the exit status (1)."""
    logger.debug("%s failed", prog, exc_info=error)
    print(f"{prog}: {error_line(error)}", file=sys.stderr)
    return EXIT_FAILURE


def run_command(prog: str, main: Callable[[], int | None]) -> int:
    """Run ``main``; its return value is the exit status, a ``GridLedgerError`` gives 1."""
    try:
        return main() or 0
    except GridLedgerError as error:
        return report_error(prog, error)
