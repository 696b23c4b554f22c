"""The typed energy API's own logic: batch planning, refusal mapping, concurrent submission
(on a fake contract), prices."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from gridledger.energy import (
    AccessDenied,
    Conflict,
    EnergyError,
    IncompleteData,
    InvalidRequest,
    MeterSigner,
    NotFound,
    Progress,
    SignedReading,
    format_amount,
    format_price,
    plan_batches,
    price_from_minor_per_kwh,
    refusal_from,
)
from gridledger.energy._sync.submitter import submit_batches
from gridledger.energy.answers import ResponseFormatError, read, read_each
from gridledger.errors import GridLedgerError
from gridledger.gateway import EndorseError, ErrorDetail, EvaluateError, GatewayError, Status
from gridledger.retry import RetryPolicy
from gridledger_domain import refusals
from gridledger_domain.records import Offer

DAY = 1_750_464_000  # 2025-06-21T00:00:00Z


def _series(meter_id: str, count: int) -> list[SignedReading]:
    signer = MeterSigner.simulated(meter_id)
    return list(signer.sign_series(DAY, ((i, 0) for i in range(count))))


# -- batch planning ----------------------------------------------------------------------------
def test_meters_are_kept_whole_and_never_share_a_concurrent_batch() -> None:
    readings = [*_series("m-a", 40), *_series("m-b", 40), *_series("m-c", 30)]
    batches = plan_batches(reversed(readings), batch_size=100)
    assert [len(b) for b in batches] == [80, 30]
    assert batches[0].meter_ids == {"m-a", "m-b"} and batches[1].meter_ids == {"m-c"}
    assert all(b.after == () for b in batches)
    for batch in batches:  # each meter's readings in time order
        for meter in batch.meter_ids:
            instants = [
                s.reading.interval_start for s in batch.readings if s.reading.meter_id == meter
            ]
            assert instants == sorted(instants)


def test_batches_hold_one_organisation_s_meters() -> None:
    """One transaction can only be endorsed by members of every collection it writes."""
    orgs = {"m-a": "RetailerMSP", "m-b": "ProsumerMSP", "m-c": "RetailerMSP"}
    readings = [*_series("m-a", 3), *_series("m-b", 3), *_series("m-c", 3)]
    batches = plan_batches(readings, batch_size=10, group_of=orgs)
    assert [sorted(b.meter_ids) for b in batches] == [["m-b"], ["m-a", "m-c"]]
    assert len(plan_batches(readings, batch_size=10)) == 1


def test_a_meter_larger_than_a_batch_is_split_into_dependent_batches() -> None:
    batches = plan_batches([*_series("m-a", 25), *_series("m-b", 5)], batch_size=10)
    assert [(len(b), sorted(b.meter_ids), b.after) for b in batches] == [
        (10, ["m-a"], ()),
        (10, ["m-a"], (0,)),
        (10, ["m-a", "m-b"], (1,)),  # the tail of m-a and all of m-b share a transaction
    ]
    assert sum(len(b) for b in batches) == 30


@pytest.mark.parametrize("size", [0, 10_001])
def test_batch_size_is_bounded_by_the_contract(size: int) -> None:
    with pytest.raises(ValueError):
        plan_batches(_series("m-a", 2), batch_size=size)


# -- refusals ----------------------------------------------------------------------------------
def _endorse_error(message: str) -> EndorseError:
    detail = ErrorDetail("peer0:7051", "ProsumerMSP", f"chaincode response 500, {message}")
    return EndorseError(
        "failed to endorse transaction, see attached details for more info",
        transaction_id="tx1",
        grpc_code=grpc.StatusCode.ABORTED,
        details=[detail],
    )


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("invalid: meter id must be ...", InvalidRequest),
        ("access denied: only the utility may run settlement", AccessDenied),
        ("not found: unknown offer o1", NotFound),
        ("conflict: offer o1 has 0 Wh left", Conflict),
        ("incomplete: cannot settle x: 3 readings missing", IncompleteData),
        ("argument quantityWh: expected an integer, got 'x'", InvalidRequest),
    ],
)
def test_refusals_map_to_domain_errors_and_keep_the_gateway_detail(
    message: str, kind: type[EnergyError]
) -> None:
    error = _endorse_error(message)
    refusal = refusal_from(error)
    assert isinstance(refusal, kind) and isinstance(refusal, GatewayError)
    assert refusal.transaction_id == "tx1" and refusal.details == error.details
    assert refusal.grpc_code is grpc.StatusCode.ABORTED and refusal.cause is error
    assert message.endswith(refusal.reason)


@pytest.mark.parametrize(
    "shared",
    [
        refusals.InvalidRequest,
        refusals.AccessDenied,
        refusals.NotFound,
        refusals.Conflict,
        refusals.IncompleteData,
    ],
)
def test_every_refusal_the_chaincode_raises_comes_back_as_the_same_kind(
    shared: type[refusals.Refusal],
) -> None:
    assert len(refusals.RefusalKind) == 5  # a new kind needs its case here and its client class
    # The chaincode's EnergyContract sends str(refusal) as its error message.
    wire = str(shared("meter m-1 is not registered"))
    refusal = refusal_from(_endorse_error(wire))
    assert isinstance(refusal, shared) and isinstance(refusal, GridLedgerError)
    assert refusal.kind is shared.kind and refusal.reason == "meter m-1 is not registered"
    assert str(refusal) == wire


def test_an_evaluate_refusal_is_read_from_the_message_too() -> None:
    error = EvaluateError("evaluate call to endorser returned error: not found: unknown meter m")
    refusal = refusal_from(error)
    assert isinstance(refusal, NotFound) and refusal.reason == "unknown meter m"


@pytest.mark.parametrize(
    "message",
    [
        "chaincode stream terminated",
        "failed to connect to peer: invalid address",
        "timeout expired",
    ],
)
def test_other_failures_are_not_refusals(message: str) -> None:
    assert refusal_from(GatewayError(message, details=[ErrorDetail("p", "m", message)])) is None


# -- concurrent submission on a fake contract --------------------------------------------------
@dataclass
class FakeContract:
    """Commits ``SubmitReadings`` batches; refuses batches naming a meter in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    unreachable: bool = False
    sent: list[list[str]] = field(default_factory=list)
    committed: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    timeouts: list[float | None] = field(default_factory=list)  # each step's deadline
    msp_id: str = "GridOperatorMSP"  # the caller's organisation
    endorsers: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # first meter -> named

    def new_proposal(
        self,
        function: str,
        args: list[str],
        transient: dict[str, bytes] | None = None,
        endorsing_orgs: Any = None,
        collections: Any = None,
    ) -> Any:
        assert transient is not None and int(args[0]) >= 1  # readings only as transient data
        batch = json.loads(transient["readings"])
        meters = sorted({r["meter_id"] for r in batch})
        contract = self
        with self.lock:
            self.endorsers[meters[0]] = (endorsing_orgs, collections)

        class Submitted:
            def status(self, timeout: float | None = None) -> Status:
                contract.timeouts.append(timeout)
                with contract.lock:
                    contract.committed.append(meters)
                return Status(0, True, 7, f"tx-{meters[0]}")

        class Transaction:
            result = json.dumps(
                {
                    "submitted": len(batch),
                    "stored": len(batch),
                    "duplicates": 0,
                    "certificates_issued": 0,
                }
            ).encode()

            def submit(self, timeout: float | None = None) -> Submitted:
                contract.timeouts.append(timeout)
                return Submitted()

        class Proposal:
            def endorse(self, timeout: float | None = None) -> Transaction:
                with contract.lock:
                    contract.timeouts.append(timeout)
                    contract.sent.append(meters)
                if contract.unreachable:
                    raise EndorseError(
                        "failed to connect to all addresses", grpc_code=grpc.StatusCode.UNAVAILABLE
                    )
                if contract.refuse & set(meters):
                    raise _endorse_error("invalid: reading 0 refused: bad signature")
                return Transaction()

        return Proposal()


def test_a_refused_batch_skips_its_dependents_and_the_rest_commit() -> None:
    contract = FakeContract(refuse={"m-a"})
    batches = plan_batches([*_series("m-a", 25), *_series("m-b", 10), *_series("m-c", 10)], 10)
    progress: list[Progress] = []
    summary = submit_batches(
        contract,  # type: ignore[arg-type]
        batches,
        max_in_flight=3,
        on_progress=progress.append,
        policy=RetryPolicy(max_attempts=1),
    )
    assert not summary.ok
    assert [(f.index, f.skipped, f.refused) for f in summary.failures] == [
        (0, False, True),
        (1, True, True),
        (2, True, True),
    ]
    assert sorted(meters for meters in contract.committed) == [["m-b"], ["m-c"]]
    assert summary.stored == 20
    assert [p.batches_done for p in progress] == [1, 2, 3, 4, 5]
    assert progress[-1].readings_done == 45 and progress[-1].failed_batches == 3


def test_once_the_ledger_is_unreachable_the_batches_not_yet_sent_are_skipped() -> None:
    contract = FakeContract(unreachable=True)
    meters = [f"m-{n}" for n in range(8)]
    batches = plan_batches([s for meter in meters for s in _series(meter, 10)], 10)
    summary = submit_batches(
        contract,  # type: ignore[arg-type]
        batches,
        max_in_flight=2,
        policy=RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.01),
    )
    assert len(summary.failures) == 8 and not summary.batches
    # at most the two batches in flight when the first one gave up were tried; none after
    assert 1 <= len(contract.sent) <= 2 * 2
    skipped = [failure for failure in summary.failures if failure.skipped]
    assert len(skipped) >= 6
    assert all(f.error.grpc_code is grpc.StatusCode.UNAVAILABLE for f in summary.failures)


def test_a_batch_timeout_bounds_every_step_of_its_transaction() -> None:
    contract = FakeContract()
    batches = plan_batches(_series("m-a", 10), 10)

    submit_batches(contract, batches, max_in_flight=1, timeout=2.5)  # type: ignore[arg-type]
    assert len(contract.timeouts) == 3  # endorse, submit, commit status
    assert all(t is not None and 0 < t <= 2.5 for t in contract.timeouts)

    without = FakeContract()
    submit_batches(without, batches, max_in_flight=1)  # type: ignore[arg-type]
    assert without.timeouts == [None, None, None]  # each step's own default


# -- prices ------------------------------------------------------------------------------------
def test_prices_have_four_fixed_decimals() -> None:
    assert price_from_minor_per_kwh("25.34") == 253_400
    assert price_from_minor_per_kwh("8") == 80_000
    assert format_price(253_400) == "25.3400"
    assert format_amount(-1234) == "-12.34"
    with pytest.raises(ValueError):
        price_from_minor_per_kwh("0.00001")
    with pytest.raises(ValueError):
        price_from_minor_per_kwh("-1")


# -- reading the contract's answers -------------------------------------------------------------
def test_a_malformed_answer_is_a_response_format_error_naming_the_field() -> None:
    offer = {"offer_id": "o1", "seller": "ProsumerMSP::CN=s", "meter_id": "M-1"}
    with pytest.raises(ResponseFormatError, match="offer: field 'source'"):
        read(Offer.from_json_dict, offer, "offer")
    with pytest.raises(ResponseFormatError, match="offers: expected a JSON array"):
        read_each(Offer.from_json_dict, {"offers": []}, "offers")
