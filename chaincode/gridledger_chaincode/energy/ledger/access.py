"""Who is calling: the utility, a registered participant, or an unregistered identity.

The utility is an identity of the utility's MSP (``GridOperatorMSP`` by default) that is either
an admin (``OU=admin`` in its certificate subject, Fabric NodeOUs) or carries the Fabric CA
attribute ``gridledger.role=utility``. The attribute counts only inside the utility's MSP, so no
other organisation's CA can mint utilities. Everyone else is recognised by MSP id + subject.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gridledger_domain.collections import DEFAULT_UTILITY_MSP
from gridledger_domain.identifiers import participant_id
from gridledger_domain.records import Participant
from gridledger_domain.refusals import AccessDenied
from gridledger_domain.vocabulary import Role

from gridledger_chaincode.energy.ledger.state import PARTICIPANT, Identity, State

UTILITY_MSP = DEFAULT_UTILITY_MSP
ROLE_ATTRIBUTE = "gridledger.role"


@dataclass(frozen=True, slots=True)
class Caller:
    participant_id: str
    msp_id: str
    is_utility: bool
    participant: Participant | None

    @property
    def role(self) -> Role | None:
        if self.is_utility:
            return Role.UTILITY
        return self.participant.role if self.participant is not None else None

    @property
    def is_auditor(self) -> bool:
        return self.role is Role.AUDITOR

    @property
    def reads_everything(self) -> bool:
        return self.is_utility or self.is_auditor

    def require_utility(self, action: str) -> None:
        if not self.is_utility:
            raise AccessDenied(f"only the utility may {action} (caller {self.participant_id})")

    def require_role(self, roles: Iterable[Role], action: str) -> Participant:
        allowed = frozenset(roles)
        if self.participant is None or self.participant.role not in allowed:
            names = ", ".join(sorted(role.value for role in allowed))
            raise AccessDenied(
                f"only a registered {names} may {action} (caller {self.participant_id} is "
                f"{self.role.value if self.role else 'not registered'})"
            )
        return self.participant

    def require_reader_of(self, owner: str, what: str) -> None:
        """The owner, the utility and auditors may read ``what``; nobody else."""
        if self.participant_id != owner and not self.reads_everything:
            raise AccessDenied(f"caller {self.participant_id} may not read {what}")


def _is_admin(subject: str) -> bool:
    return "/OU=admin/" in f"{subject}/"


def identify(state: State, identity: Identity, utility_msp: str = UTILITY_MSP) -> Caller:
    pid = participant_id(identity.msp_id, identity.subject)
    is_utility = identity.msp_id == utility_msp and (
        _is_admin(identity.subject) or identity.get_attribute_value(ROLE_ATTRIBUTE) == "utility"
    )
    record = state.get_json(PARTICIPANT, pid)
    participant = Participant.from_json_dict(record) if record is not None else None
    return Caller(pid, identity.msp_id, is_utility, participant)
