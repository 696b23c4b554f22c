"""The billing runner's local state: an optimisation only, never the source of truth.

Per participant, the next day to close and the end of its last bill, so that a restart does not
ask the ledger again. Lost or stale, it costs a few idempotent calls: a day closed before is
``already_closed``, a period settled before returns its stored bill, an earlier day still open
is named by the contract (``out_of_order``). Written atomically (a temporary file renamed).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

STATE_VERSION = 1


@dataclass
class ParticipantState:
    next_day: int | None = None  # the next UTC day to close
    billed_until: int | None = None  # the end of its last bill (or its first closed day)


@dataclass
class RunnerState:
    path: Path
    participants: dict[str, ParticipantState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RunnerState:
        """The state in ``path``; an absent or unreadable file is an empty state."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            entries = document["participants"] if document["version"] == STATE_VERSION else {}
            participants = {
                str(pid): ParticipantState(entry.get("next_day"), entry.get("billed_until"))
                for pid, entry in entries.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            participants = {}
        return cls(path, participants)

    def of(self, participant: str) -> ParticipantState:
        return self.participants.setdefault(participant, ParticipantState())

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "version": STATE_VERSION,
            "participants": {
                pid: {"next_day": s.next_day, "billed_until": s.billed_until}
                for pid, s in sorted(self.participants.items())
            },
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
