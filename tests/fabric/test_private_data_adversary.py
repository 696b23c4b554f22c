"""Issue 20's adversary on real Fabric: the administrator of an organisation that is in no
collection of a household (ProsumerMSP, against a RetailerMSP household whose meter data is in
``mdata_RetailerMSP``, members GridOperatorMSP and RetailerMSP) looks for the household's meter
data with everything its own peer gives it:

- every block of the channel (Deliver), and Deliver with private data;
- every file of its peer's ledger folder (LevelDB tables and logs decoded) and its log;
- the energy contract on its own peer, as an auditor the contract lets read everything;
- a dictionary of likely meter/day keys against the key hashes every peer stores.

None of it gives a meter id (outside the public meter registry), a register value or a signature.
The same searches over a member's peer find them (so the searches can fail). Then: wrong
endorsers are refused, and a purge done while one of RetailerMSP's peers is down leaves no data
or state hash on any member once that peer is back.

Three organisations on loopback (RetailerMSP with two peers); needs Fabric's binaries (skipped
otherwise).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2
from gridledger.energy import Bill, EnergyClient, MeterSigner, Role, SignedReading
from gridledger.energy.client import CHAINCODE
from gridledger.energy.collections import meter_data_collection
from gridledger.gateway import CommitError, Contract, GatewayError, PrivateDataLeakError, connect
from gridledger.gateway.blocks import decode_envelope
from gridledger.profile import ConnectionProfile
from gridledger_domain import format_utc
from gridledger_domain.meter_data import SALT_FIELD, private_key, readings_request
from gridledger_network.chaincode_server import python_chaincode
from gridledger_network.devnet.config import parse_config
from gridledger_network.fabric.config import (
    PEER_PORT_STEP,
    FabricConfig,
    OrdererPorts,
    PeerPorts,
    load_fabric_config,
    write_fabric_config,
)
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.network import stop, up
from gridledger_network.fabric.nodes import start_node, stop_node
from gridledger_network.fabric.own_chaincode import use_own_chaincode_server
from gridledger_network.processes import (
    RunFolder,
    free_ports,
    port_free,
    start_process,
    wait_listening,
)
from harness.devnet import OPERATOR, PROSUMER, PYTHON_CHAINCODE, RETAILER, THREE_ORGS, devnet_config
from harness.streams import read_until
from integration.energy.conftest import tariff_v1

from fabric.backend import fabric_binaries_or_skip
from fabric.ledger_files import found_in_folder

pytestmark = pytest.mark.fabric

DAY = datetime(2025, 6, 2, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)
DAY_START = int(DAY.timestamp())
HOUSEHOLD = f"{RETAILER}::CN=adversary-household"
DECOY = f"{RETAILER}::CN=adversary-decoy"
METER = "ADV-7731-HOUSEHOLD"
DECOY_METER = "ADV-7731-DECOY"
REGISTER_BASE = 8_642_000  # the household's import register, Wh
ADVERSARY = "peer0-prosumermsp"
MEMBER = "peer0-retailermsp"
REGISTRY = ("\x00energy.meter\x00", "\x00energy.meter_by_owner\x00")  # the public registry
KINDS = ("day", "span", "days", "statement", "bill", "revision", "true_up", "reading")


@dataclass
class Household:
    home: Path
    profile: ConnectionProfile
    utility: EnergyClient
    readings: list[SignedReading]
    bill: Bill
    height: int
    opened: contextlib.ExitStack
    collection: str = field(default="")

    def contract(self, msp_id: str, user: str) -> Contract:
        gateway = self.opened.enter_context(self.profile.connect(msp_id, user=user))
        return gateway.network(self.profile.channel).contract(CHAINCODE)

    def gateway(self, msp_id: str, user: str = "Admin") -> Any:
        return self.opened.enter_context(self.profile.connect(msp_id, user=user))

    def dial_member_peer(self, index: int, msp_id: str, user: str) -> Any:
        """A gateway to RetailerMSP's peer ``index`` alone, signing as ``msp_id``'s ``user``."""
        member = self.profile.organization(RETAILER)
        peer = member.peers[index]
        identity, signer = self.profile.identity(msp_id, user)
        return self.opened.enter_context(
            connect(
                peer.endpoint,
                identity=identity,
                signer=signer,
                tls_root_cert=member.tls_ca_cert.read_bytes(),
                host_override=peer.host or None,
            )
        )

    def blocks(self, msp_id: str) -> list[Any]:
        """Every block through ``height``, from ``msp_id``'s peer, as its Admin gets them."""
        stream = self.gateway(msp_id).network(self.profile.channel).block_events(start_block=0)
        seen = read_until(stream, lambda b: b.header.number >= self.height)
        assert seen and seen[-1].header.number >= self.height
        return seen

    def secrets(self) -> dict[str, bytes]:
        """What must never reach a non-member: signatures (raw and base64), the readings'
        transport field, a register value as stored, and the bill's bytes."""
        found = {"bill": self.bill.to_json(), "import_wh": b'"import_wh"'}
        for n, signed in enumerate(self.readings[:4]):
            found[f"signature {n}"] = signed.signature
            found[f"signature {n} base64"] = base64.b64encode(signed.signature)
        found["register"] = f'"import_wh":{self.readings[5].reading.import_wh}'.encode()
        return found


def _org_ports(count: int, taken: list[int]) -> list[int]:
    """``count`` free ports whose ``+ PEER_PORT_STEP`` (a second peer's) are free too."""
    chosen: list[int] = []
    while len(chosen) < count:
        for port in free_ports(count):
            pair = (port, port + PEER_PORT_STEP)
            if len(chosen) < count and not set(pair) & set(taken) and port_free(pair[1]):
                chosen.append(port)
                taken += pair
    return chosen


def _config() -> FabricConfig:
    ports = free_ports(4)  # the orderer's three, the chaincode server
    org_ports = _org_ports(3 * len(THREE_ORGS), list(ports))
    raw = devnet_config(
        {msp: org_ports[3 * i] for i, msp in enumerate(THREE_ORGS)}, {PYTHON_CHAINCODE: ports[3]}
    )
    network = parse_config(raw)
    return FabricConfig(
        network,
        (OrdererPorts(ports[0], ports[1], ports[2]),),
        {
            p.msp_id: PeerPorts(p.port, org_ports[3 * i + 1], org_ports[3 * i + 2])
            for i, p in enumerate(network.peers)
        },
        {PYTHON_CHAINCODE: "python"},
        peer_counts={RETAILER: 2},
    )


def _series(signer: MeterSigner, start: int) -> list[SignedReading]:
    registers = [(start, 20_000)]
    for i in range(96):
        registers.append((registers[-1][0] + 250 + i, 20_000))
    return list(signer.sign_series(DAY, registers))


@pytest.fixture(scope="module")
def household(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Household]:
    binaries = fabric_binaries_or_skip()
    home = tmp_path_factory.mktemp("adversary")
    write_fabric_config(home / "fabric.yaml", _config())
    try:
        fabric = up(home, binaries=binaries, ready_timeout=300)
        with contextlib.ExitStack() as opened:
            assert fabric.profile
            profile = ConnectionProfile.load(home / "network.json")
            utility = opened.enter_context(EnergyClient.connect(profile, OPERATOR, "utility"))
            utility.set_tariff(tariff_v1())
            for pid in (HOUSEHOLD, DECOY):
                utility.register_participant(pid, Role.CONSUMER, zone="north", display_name="h")
            signer = MeterSigner.simulated(METER, seed="adversary household")
            utility.register_meter(
                METER, HOUSEHOLD, "consumption", "grid", "north", signer.public_key_pem
            )
            decoy = MeterSigner.simulated(DECOY_METER, seed="adversary decoy")
            utility.register_meter(
                DECOY_METER, DECOY, "consumption", "grid", "north", decoy.public_key_pem
            )
            readings = _series(signer, REGISTER_BASE)
            assert utility.submit_readings(readings).stored == len(readings)
            bill = utility.settle(HOUSEHOLD, DAY, NEXT)
            contract = opened.enter_context(profile.connect(OPERATOR)).network(profile.channel)
            height = (
                contract.contract(CHAINCODE, "kv").submit_async("Put", "adversary", "h").status()
            ).block_number
            state = Household(home, profile, utility, readings, bill, height, opened)
            state.collection = meter_data_collection(RETAILER)[0]
            yield state
    finally:
        stop(home)


def _envelopes(blocks: list[Any]) -> Iterator[tuple[int, int, bytes]]:
    for block in blocks:
        for index, data in enumerate(block.data.data):
            yield block.header.number, index, bytes(data)


def _rwsets(data: bytes) -> Iterator[Any]:
    """The namespace read-write sets of an endorser transaction (``common.Envelope`` bytes)."""
    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(data).payload)
    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    if header.type != common_pb2.HeaderType.ENDORSER_TRANSACTION:
        return
    for action in transaction_pb2.Transaction.FromString(payload.data).actions:
        cap = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
        response = proposal_response_pb2.ProposalResponsePayload.FromString(
            cap.action.proposal_response_payload
        )
        results = proposal_pb2.ChaincodeAction.FromString(response.extension).results
        yield from rwset_pb2.TxReadWriteSet.FromString(results).ns_rwset


def _public_keys(data: bytes) -> set[str]:
    """The public keys a transaction read or wrote (ranges' bounds included)."""
    keys: set[str] = set()
    for ns in _rwsets(data):
        kv = kv_rwset_pb2.KVRWSet.FromString(ns.rwset)
        keys |= {r.key for r in kv.reads} | {w.key for w in kv.writes}
        for query in kv.range_queries_info:
            keys |= {query.start_key, query.end_key}
            keys |= {r.key for r in query.raw_reads.kv_reads}
    return keys


def _key_hashes(blocks: list[Any], collection: str) -> set[bytes]:
    """The key hashes of every hashed private write to ``collection`` in ``blocks``."""
    found: set[bytes] = set()
    for _, _, data in _envelopes(blocks):
        for ns in _rwsets(data):
            for coll in ns.collection_hashed_rwset:
                if coll.collection_name == collection:
                    hashed = kv_rwset_pb2.HashedRWSet.FromString(coll.hashed_rwset)
                    found |= {bytes(w.key_hash) for w in hashed.hashed_writes}
    return found


def test_no_block_the_non_member_gets_holds_the_households_meter_data(
    household: Household,
) -> None:
    secrets = household.secrets()
    blocks = household.blocks(PROSUMER)
    chain = b"".join(b.SerializeToString() for b in blocks)
    assert not [name for name, secret in secrets.items() if secret in chain]
    # the meter id is in the public meter registry: its registration, and the registry's keys
    # that transactions read; nowhere else (no private key, no argument, answer or event)
    naming = set()
    for number, index, data in _envelopes(blocks):
        if METER.encode() not in data:
            continue
        function = decode_envelope(data, number, index, None).function
        naming.add(function)
        if function != "energy:RegisterMeter":
            keys = _public_keys(data)
            assert all(k.startswith(REGISTRY) for k in keys if METER in k), keys
            rest = data
            for key in sorted(keys, key=len, reverse=True):  # a range's start is a prefix
                rest = rest.replace(key.encode(), b"")
            at = rest.find(METER.encode())
            assert at < 0, (
                f"{function} names the meter outside the registry: {rest[at - 300 : at + 60]!r}"
            )
    assert "energy:RegisterMeter" in naming and "energy:SubmitReadings" in naming
    # with private data: nothing of the household's collection
    stream = household.gateway(PROSUMER).network(household.profile.channel).private_data_blocks(0)
    seen = read_until(stream, lambda b: b.number >= household.height)
    assert seen[-1].number >= household.height
    assert not [w for b in seen for w in b.private_writes if w.collection == household.collection]
    # the member's own peer gives them (the searches above can fail)
    member = read_until(
        household.gateway(RETAILER).network(household.profile.channel).private_data_blocks(0),
        lambda b: b.number >= household.height,
    )
    values = b"".join(
        w.value for b in member for w in b.private_writes if w.collection == household.collection
    )
    assert secrets["signature 0 base64"] in values and secrets["bill"] in values


def test_the_non_member_peers_ledger_folder_and_log_hold_none_of_it(household: Household) -> None:
    secrets = household.secrets()
    nodes = household.home / "nodes"
    assert found_in_folder(nodes / ADVERSARY, secrets) == {}
    log = (household.home / "logs" / f"{ADVERSARY}.log").read_bytes()
    assert not [name for name, s in {**secrets, "meter": METER.encode()}.items() if s in log]
    # the member's folder has them, LevelDB-compressed or not (the search can fail)
    on_member = found_in_folder(nodes / MEMBER, secrets)
    assert {"signature 0 base64", "bill"} <= set(on_member), on_member


def test_no_peer_gives_the_non_member_the_households_data(household: Household) -> None:
    """A ProsumerMSP auditor (the contract lets auditors read every household): its own peer
    refuses the read (member-only reads: the contract's rules are not even asked), and so does
    a member's peer, for the contract and for Deliver with private data."""
    auditor = household.opened.enter_context(
        EnergyClient.connect(household.profile, PROSUMER, "solar-farm")
    )
    household.utility.register_participant(
        auditor.whoami(), Role.AUDITOR, zone="north", display_name="regulator"
    )
    auditor.refresh_whoami()
    no_access = "tx creator does not have read access permission on privatedata"
    with pytest.raises(GatewayError, match=no_access):
        auditor.readings(METER, DAY, NEXT).all()
    with pytest.raises(GatewayError, match=no_access):
        auditor.bill(HOUSEHOLD, DAY, NEXT)
    # the auditor dialling RetailerMSP's peer
    gateway = household.dial_member_peer(0, PROSUMER, "solar-farm")
    network = gateway.network(household.profile.channel)
    with pytest.raises(GatewayError, match=no_access):
        network.contract(CHAINCODE).evaluate(
            "GetReadings", METER, *map(format_utc, (DAY_START, DAY_START + 86400))
        )
    seen = read_until(network.private_data_blocks(0), lambda b: b.number >= household.height)
    assert seen[-1].number >= household.height
    assert not [w for b in seen for w in b.private_writes if w.collection == household.collection]


def test_a_dictionary_of_likely_keys_matches_no_stored_key_hash(household: Household) -> None:
    hashes = _key_hashes(household.blocks(PROSUMER), household.collection)
    assert hashes
    days = [format_utc(int((DAY + timedelta(days=d)).timestamp())) for d in range(-40, 41)]
    subjects = (METER, HOUSEHOLD, DECOY_METER, DECOY)
    guesses = {f"{kind}|{subject}|{at}" for kind in KINDS for subject in subjects for at in days}
    guesses |= {f"{kind}|{subject}|" for kind in KINDS for subject in subjects}
    guesses |= {f"\x00energy.reading\x00{METER}\x00{at}\x00" for at in days}
    guesses |= {f"{subject}/{at}" for subject in subjects for at in days} | set(subjects)
    guesses |= {private_key(b"", kind, METER, at) for kind in KINDS for at in days}
    matched = {g for g in guesses if hashlib.sha256(g.encode()).digest() in hashes}
    assert matched == set()
    # the salt's key names the participant (public in its registry) and nothing else
    assert hashlib.sha256(f"energy.salt/{HOUSEHOLD}".encode()).digest() in hashes
    # with the household's salt (what only members hold) the real key is found
    writes = read_until(
        household.gateway(RETAILER).network(household.profile.channel).private_data_blocks(0),
        lambda b: b.number >= household.height,
    )
    (salt,) = {
        bytes(w.value)
        for b in writes
        for w in b.private_writes
        if w.key == f"energy.salt/{HOUSEHOLD}" and w.value
    }
    real = private_key(salt, "day", METER, format_utc(DAY_START))
    assert hashlib.sha256(real.encode()).digest() in hashes
    assert SALT_FIELD == "salt"


def test_wrong_endorsers_never_get_the_readings(household: Household) -> None:
    collection, members = meter_data_collection(RETAILER)
    signer = MeterSigner.simulated(DECOY_METER, seed="adversary decoy")
    decoy = [r.to_json_dict() for r in _series(signer, 1_000)[:4]]
    args, transient = readings_request(decoy)
    utility = household.contract(OPERATOR, "utility")
    # our client: refused before anything is sent
    with pytest.raises(PrivateDataLeakError):
        utility.new_proposal(
            "SubmitReadings",
            args,
            transient=transient,
            endorsing_orgs=[OPERATOR, PROSUMER],
            collections={collection: list(members)},
        )
    # told the wrong members, it sends (decoy data): Fabric does not let it through
    with pytest.raises(GatewayError) as wrong:
        utility.submit(
            "SubmitReadings",
            *args,
            transient=transient,
            endorsing_orgs=[OPERATOR, PROSUMER],
            collections={collection: [OPERATOR, PROSUMER]},
        )
    # the non-member's peer has no salt to key the readings with: nothing to endorse
    assert wrong.value.grpc_code_name == "ABORTED"
    assert [(d.msp_id, "has no meter data salt" in d.message) for d in wrong.value.details] == [
        (PROSUMER, True)
    ]
    # the non-member's admin, through its own gateway, no named endorsers: its own peer
    # endorses first (its own transient data) and the contract refuses it
    with pytest.raises(GatewayError) as outsider:
        household.contract(PROSUMER, "Admin").submit("SubmitReadings", *args, transient=transient)
    assert outsider.value.grpc_code_name == "ABORTED"
    assert "access denied" in outsider.value.details[0].message
    assert not household.utility.readings(DECOY_METER, DAY, NEXT).all()


def test_a_purge_while_a_member_peer_is_down_stays_purged(household: Household) -> None:
    """The household's data erased (bills and salt too) while RetailerMSP's peer1 is down;
    then peer0 down and peer1 back: alone for its organisation, it catches up from the orderer
    and holds no value or hash of any purged key, and the contract finds nothing to give."""
    home = household.home
    before = household.utility.readings(METER, DAY, NEXT).all()
    assert len(before) == len(household.readings)
    stop_node(home, "peer1-retailermsp")
    receipt = household.utility.erase_household(HOUSEHOLD, include_bills=True)
    assert receipt.verified and receipt.erased > len(household.readings) // 96
    stop_node(home, MEMBER)
    try:
        start_node(home, "peer1-retailermsp")
        gateway = household.dial_member_peer(1, OPERATOR, "utility")
        contract = gateway.network(household.profile.channel).contract(CHAINCODE)
        keys = json.dumps(list(receipt.keys))
        held: list[str] | None = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until peer1 has committed the purge
            with contextlib.suppress(GatewayError):
                raw = contract.evaluate("PrivateDataHashes", household.collection, keys)
                held = [h["key"] for h in json.loads(raw)["hashes"] if h["sha256"]]
                if not held:
                    break
            time.sleep(1)
        assert held == [], f"peer1 still holds purged keys (None: it never answered): {held}"
        energy = EnergyClient(contract)
        with pytest.raises(GatewayError, match="no meter data salt"):
            energy.readings(METER, DAY, NEXT).all()
    finally:
        start_node(home, MEMBER)


def test_a_member_without_the_signature_check_is_caught_by_the_other(
    household: Household,
) -> None:
    """RetailerMSP (a member) has its peers dial its own chaincode server, one with the meter
    signature check removed. A forged reading: the utility's peer refuses to endorse it; endorsed
    by RetailerMSP's peers alone, the collection's policy refuses it at commit. Last in the
    module: RetailerMSP's peers keep the tampered chaincode."""
    collection, members = meter_data_collection(RETAILER)
    address = f"127.0.0.1:{free_ports(1)[0]}"
    package = use_own_chaincode_server(household.home, RETAILER, address)
    tls = ensure_fabric_crypto(household.home / "crypto", load_fabric_config(household.home))
    launch = python_chaincode(package.package_id, address, tls.layout.chaincode_tls_dir)
    env = {**launch.env, "PYTHONPATH": str(Path(__file__).parents[1])}
    run = RunFolder(household.home)
    argv = [sys.executable, "-m", "fabric.tampered_chaincode"]
    start_process(run, "chaincode-tampered", argv, env)
    wait_listening(run, "chaincode-tampered", [int(address.rsplit(":", 1)[1])], 30.0)
    forger = MeterSigner.simulated(DECOY_METER, seed="not the meter's key")
    forged = forger.sign(format_utc(DAY_START), 5_000, 0)
    args, transient = readings_request([forged.to_json_dict()])
    utility = household.contract(OPERATOR, "utility")
    refusals: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until RetailerMSP's peers run the tampered code
        with pytest.raises(GatewayError) as refused:
            utility.submit(
                "SubmitReadings",
                *args,
                transient=transient,
                endorsing_orgs=list(members),
                collections={collection: list(members)},
            )
        refusals = sorted(d.msp_id for d in refused.value.details)
        if refusals == [OPERATOR]:
            break
        time.sleep(1)
    assert refusals == [OPERATOR], str(refused.value)
    assert "signature" in refused.value.details[0].message
    # the dishonest member's endorsement alone: refused by the validators
    with pytest.raises(CommitError) as alone:
        utility.submit(
            "SubmitReadings",
            *args,
            transient=transient,
            endorsing_orgs=[RETAILER],
            collections={collection: list(members)},
        )
    assert alone.value.code_name == "ENDORSEMENT_POLICY_FAILURE"
    assert household.utility.readings(DECOY_METER, DAY, NEXT).all() == []
