"""The billing runner's local state: an optimisation only, never the source of truth.

Per participant, the period of its last bill, so that a restart need not list its bills again.
It is trusted only after the ledger confirms that bill (one ``GetBill``), so a lost, stale or
foreign state file (another ledger's) costs a few queries, never a skipped or doubled bill.
Written atomically (a temporary file renamed).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

STATE_VERSION = 2


@dataclass
class RunnerState:
    path: Path
    last_bills: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RunnerState:
        """The state in ``path``; an absent or unreadable file is an empty state."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            entries = document["last_bills"] if document["version"] == STATE_VERSION else {}
            bills = {str(pid): (int(start), int(end)) for pid, (start, end) in entries.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            bills = {}
        return cls(path, bills)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"version": STATE_VERSION, "last_bills": dict(sorted(self.last_bills.items()))}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
