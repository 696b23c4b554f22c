"""PurgePrivateData through the Gateway, then the devnet (every peer) down and up again: neither
the member nor the non-member gets the value or its hash back. A devnet of its own: it restarts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gridledger.gateway import EvaluateError, GatewayError
from gridledger_network.devnet.launcher import start_devnet
from harness.devnet import (
    ENDORSED_COLLECTION,
    OPERATOR,
    PROSUMER,
    TestNetwork,
    running_test_network,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def own_network(tmp_path: Path) -> Iterator[TestNetwork]:
    with running_test_network(tmp_path / "devnet", with_node_chaincode=False) as network:
        yield network


def _answer(call: Callable[[], bytes], deadline: float = 60.0) -> bytes | EvaluateError:
    """The call's result or its chaincode error, retried while the peers are still starting."""
    give_up = time.monotonic() + deadline
    while True:
        try:
            return call()
        except EvaluateError as err:
            if any("does not exist" in d.message for d in err.details):
                return err
            if time.monotonic() > give_up:
                raise
        except GatewayError:
            if time.monotonic() > give_up:
                raise
        time.sleep(0.2)


def test_purged_value_and_hash_stay_gone_after_a_restart(own_network: TestNetwork) -> None:
    profile, key = own_network.profile, "purge-restart-meter-7"
    with profile.connect(OPERATOR) as gateway:
        kv = gateway.network(own_network.channel).contract(own_network.chaincode, "kv")
        kv.submit("PutPrivate", ENDORSED_COLLECTION, key, transient={"value": b"1234 Wh"})
        assert kv.evaluate("GetPrivate", ENDORSED_COLLECTION, key) == b"1234 Wh"
        kv.submit("PurgePrivate", ENDORSED_COLLECTION, key, endorsing_orgs=[OPERATOR])
    assert own_network.devnet is not None
    own_network.devnet.stop()
    own_network.devnet = start_devnet(own_network.home, timeout=60.0)
    for org, function in (
        (OPERATOR, "GetPrivate"),
        (OPERATOR, "GetPrivateHash"),
        (PROSUMER, "GetPrivateHash"),
    ):
        with profile.connect(org) as gateway:
            kv = gateway.network(own_network.channel).contract(own_network.chaincode, "kv")
            answer = _answer(lambda kv=kv, f=function: kv.evaluate(f, ENDORSED_COLLECTION, key))
            assert isinstance(answer, EvaluateError), f"{org} {function} answered {answer!r}"
