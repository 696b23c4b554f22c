"""The real-Fabric layout P3 is measured on (``--fabric-orgs``/``--fabric-peers``): organisations,
policy, the lanes the readings worker spreads over, and the option checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from gridledger.profile import ConnectionProfile, PeerAddress

from bench.__main__ import fabric_configs
from bench.fabric_layout import (
    FabricLayout,
    Lane,
    LayoutError,
    format_lanes,
    loops_per_lane,
    parse_lanes,
)
from bench.fabric_network import PEER_PORT_STEP, peer_base_ports
from bench.readings_worker import lane_profile
from bench.suites import Config

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_default_layout_is_todays_two_orgs_one_peer_both_endorsing() -> None:
    layout = FabricLayout()
    assert layout.msp_ids == ("GridOperatorMSP", "ProsumerMSP")
    assert layout.policy == "AND('GridOperatorMSP.peer','ProsumerMSP.peer')"
    assert layout.lanes == (Lane("GridOperatorMSP", 0), Lane("ProsumerMSP", 0))
    assert layout.describe().startswith("2 orgs x 1 peer, endorsement AND(")


def test_three_orgs_two_peers_use_the_utility_and_one_other_and_every_peer() -> None:
    layout = FabricLayout(3, 2)
    assert layout.policy == (
        "AND('GridOperatorMSP.peer',OR('ProsumerMSP.peer','RetailerMSP.peer'))"
    )
    assert format_lanes(layout.lanes) == (
        "GridOperatorMSP:0,ProsumerMSP:0,RetailerMSP:0,"
        "GridOperatorMSP:1,ProsumerMSP:1,RetailerMSP:1"
    )
    assert parse_lanes(format_lanes(layout.lanes)) == layout.lanes
    assert "3 orgs x 2 peers" in layout.describe()


@pytest.mark.parametrize(("orgs", "peers"), [(1, 1), (5, 1), (2, 0), (2, 5)])
def test_layouts_out_of_range_are_refused_with_the_allowed_range(orgs: int, peers: int) -> None:
    with pytest.raises(LayoutError, match=r"must be \d to \d"):
        FabricLayout(orgs, peers)


@pytest.mark.parametrize("text", ["ProsumerMSP", "ProsumerMSP:x", ":0", "A:0,A:0"])
def test_malformed_lanes_are_refused(text: str) -> None:
    with pytest.raises(LayoutError):
        parse_lanes(text)


def test_no_lanes_means_the_worker_s_own_org() -> None:
    assert parse_lanes("") == ()


def test_loops_go_round_robin_over_lanes() -> None:
    assert loops_per_lane(2, 4) == [1, 1, 0, 0]
    assert loops_per_lane(16, 6) == [3, 3, 3, 3, 2, 2]
    assert sum(loops_per_lane(7, 3)) == 7
    with pytest.raises(LayoutError):
        loops_per_lane(0, 2)


def test_fabric_runs_p3_when_chosen_and_p0_otherwise() -> None:
    readings, put = Config("python", "python", "readings"), Config("node", "python", "put")
    assert fabric_configs({"P3"}) == [readings]
    assert fabric_configs({"P0", "P3"}) == [put, readings]
    assert fabric_configs({"smoke"}) == [put]


def test_peer_ports_leave_room_for_every_peer() -> None:
    avoid = [1]
    ports = peer_base_ports(9, 2, avoid)
    every = [p + PEER_PORT_STEP * k for p in ports for k in range(2)]
    assert len(set(every)) == len(every) == 18
    assert 1 not in every


def test_a_lane_dials_its_peer_first() -> None:
    profile = ConnectionProfile.from_dict(
        {
            "channel": "energy",
            "organizations": {
                "ProsumerMSP": {
                    "tls_ca_cert": "ca.pem",
                    "peer_endpoints": [
                        {"endpoint": "127.0.0.1:9051", "host": "peer0.prosumer"},
                        {"endpoint": "127.0.0.1:9061", "host": "peer1.prosumer"},
                    ],
                }
            },
        }
    )
    assert lane_profile(profile, Lane("ProsumerMSP", 0)) is profile
    rotated = lane_profile(profile, Lane("ProsumerMSP", 1)).organization("ProsumerMSP")
    assert rotated.peer_addresses == (
        PeerAddress("127.0.0.1:9061", "peer1.prosumer"),
        PeerAddress("127.0.0.1:9051", "peer0.prosumer"),
    )
    with pytest.raises(ValueError, match="no peer 2"):
        lane_profile(profile, Lane("ProsumerMSP", 2))


def test_the_command_refuses_a_bad_layout_in_one_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--fabric", "--fabric-orgs", "7"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "--fabric-orgs must be 2 to 4 organisations" in completed.stderr
    assert "Traceback" not in completed.stderr
