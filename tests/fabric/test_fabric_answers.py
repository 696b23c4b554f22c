"""What a client observes, pinned to real Fabric 3.1.5's answers, on the session's network.

The answers (``fabric_3.1.5_answers.json``) were recorded on real Fabric by
``python -m fabric.compare_backends --record``. On real Fabric every scenario must match; on the
devnet the differences listed in ``DEVNET_DIFFERENCES`` are expected failures until the devnet
is fixed (then remove the entry: the xfail is strict, so a fixed devnet shows up as XPASS).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fabric.scenarios import ANSWERS, SCENARIOS, ScenarioContext

pytestmark = pytest.mark.integration

FABRIC_ANSWERS: dict[str, Any] = json.loads(ANSWERS.read_text(encoding="utf-8"))

DEVNET_DIFFERENCES = {
    "unknown_chaincode_submit": "devnet says 'required chaincodes are not installed on "
    "sufficient peers'; Fabric 'No metadata was found for chaincode X in channel Y'",
    "unknown_channel_submit": "devnet says 'channel X not found'; Fabric 'No metadata was "
    "found for chaincode C in channel X'",
    "unknown_channel_evaluate": "devnet says 'channel X not found'; Fabric 'could not get last "
    "config for channel X'",
    "identity_from_foreign_ca": "devnet says 'creator org [GridOperatorMSP]'; Fabric 'creator "
    "org unknown, creator is malformed'",
    "altered_transaction_signature": "devnet says 'envelope signature is not valid'; Fabric "
    "'0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies "
    "to be satisfied: permission denied'",
    "private_write_default_endorsers": "devnet endorses a transient-data private write on "
    "every policy org; Fabric's gateway refuses (FAILED_PRECONDITION) when an endorsing org "
    "is outside the collection's distribution policy",
}


def _backend(network: Any) -> str:
    return str(getattr(network, "backend", "devnet"))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_client_observes_what_fabric_answers(
    scenario: str, test_network: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if _backend(test_network) == "devnet" and scenario in DEVNET_DIFFERENCES:
        request.applymarker(pytest.mark.xfail(reason=DEVNET_DIFFERENCES[scenario], strict=True))
    ctx = ScenarioContext(
        test_network.profile, test_network.channel, test_network.chaincode, tmp_path
    )

    observed = SCENARIOS[scenario](ctx)

    assert observed == FABRIC_ANSWERS[scenario]
