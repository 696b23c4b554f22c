"""Every typed call takes ``timeout``: it reaches each Gateway step as that step's deadline,
the client's default applies when a call gives none, and retries stop when it has passed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from gridledger.energy import EnergyClient
from gridledger.gateway import EndorseError, Failure, Status
from gridledger.retry import RetryPolicy


@dataclass
class RecordingContract:
    """Answers an empty page to every query and commits every transaction; records each step's
    deadline. With ``slow_endorsements`` the endorsement fails with DEADLINE_EXCEEDED."""

    slow_endorsements: bool = False
    deadlines: list[tuple[str, float | None]] = field(default_factory=list)

    def evaluate(self, function: str, *args: str, timeout: float | None = None) -> bytes:
        self.deadlines.append((function, timeout))
        return b'{"items": [], "bookmark": "", "count": 0}'

    def new_proposal(self, function: str, args: list[str], transient: Any = None) -> Any:
        contract = self

        class Submitted:
            def status(self, timeout: float | None = None) -> Status:
                contract.deadlines.append(("status", timeout))
                return Status(0, True, 7, "tx-1")

        class Transaction:
            result = b"[]"

            def submit(self, timeout: float | None = None) -> Submitted:
                contract.deadlines.append(("submit", timeout))
                return Submitted()

        class Proposal:
            def endorse(self, timeout: float | None = None) -> Transaction:
                contract.deadlines.append((function, timeout))
                if contract.slow_endorsements:
                    time.sleep(0.05)
                    raise EndorseError("deadline", grpc_code=grpc.StatusCode.DEADLINE_EXCEEDED)
                return Transaction()

        return Proposal()


def test_a_call_s_timeout_is_each_query_s_deadline() -> None:
    contract = RecordingContract()
    client = EnergyClient(contract)  # type: ignore[arg-type]

    client.tariffs(timeout=2.0).all()
    client.certificates("GridOperatorMSP::CN=x", timeout=300.0).all()
    client.tariffs().all()

    assert contract.deadlines == [
        ("ListTariffs", 2.0),
        ("ListCertificates", 300.0),
        ("ListTariffs", None),  # the gateway's own default
    ]


def test_the_client_s_timeout_is_the_default_of_every_call() -> None:
    contract = RecordingContract()
    client = EnergyClient(contract, timeout=30.0)  # type: ignore[arg-type]

    client.participants().all()
    client.participants(timeout=1.0).all()

    assert contract.deadlines == [("ListParticipants", 30.0), ("ListParticipants", 1.0)]


def test_a_transaction_s_timeout_bounds_its_three_steps_together() -> None:
    contract = RecordingContract()
    client = EnergyClient(contract)  # type: ignore[arg-type]

    client.buy("offer.1", 500, timeout=10.0)

    steps = [step for step, _ in contract.deadlines]
    assert steps == ["Buy", "submit", "status"]
    left = [deadline for _, deadline in contract.deadlines]
    assert all(d is not None and 0 < d <= 10.0 for d in left)
    assert left == sorted(left, reverse=True)  # one deadline, running down


def test_retries_stop_when_the_timeout_has_passed() -> None:
    contract = RecordingContract(slow_endorsements=True)
    client = EnergyClient(  # type: ignore[arg-type]
        contract, retry_policy=RetryPolicy(max_attempts=100, initial_delay=0.01, jitter=0)
    )

    started = time.monotonic()
    with pytest.raises(EndorseError) as caught:
        client.buy("offer.1", 500, timeout=0.3)

    assert time.monotonic() - started < 1.0
    assert 1 < len(contract.deadlines) < 100  # retried, then stopped by the deadline
    assert caught.value.failure is Failure.DEADLINE_EXCEEDED
