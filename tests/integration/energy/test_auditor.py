"""An auditor of an organisation in no household's collection (issue 20, item 2), on the
three-organisation devnet: the utility, or the household itself (RetailerMSP's "erin"), exports
the household's private records from its own organisation's peer (``mdata_RetailerMSP``: the
utility and RetailerMSP); ProsumerMSP's auditor checks every record against the hashes its own
peer holds. The members' peers refuse the auditor any private value (member-only reads), their
block streams carry none of the collection's private writes to it, and it can write nothing
(docs/private-data.md, "Auditors")."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gridledger.cli.main import app
from gridledger.energy import (
    AccessDenied,
    AuditRecord,
    AuditVerdict,
    EnergyClient,
    MeterSigner,
    ReadingSubmissionError,
    Role,
    read_audit_records,
)
from gridledger.energy.client import CHAINCODE
from gridledger.gateway import EvaluateError, connect
from gridledger.gateway.private_blocks import PrivateWrite
from harness.devnet import (
    OPERATOR,
    PROSUMER,
    RETAILER,
    TestNetwork,
)
from harness.streams import read_until
from typer.testing import CliRunner

from .conftest import tariff_v1
from .test_three_orgs import three_org_devnet

pytestmark = pytest.mark.integration

DAY = datetime(2025, 4, 7, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)
METER = "AUD-RETAIL-1"
READ_REFUSED = (
    "tx creator does not have read access permission on privatedata in "
    f"chaincodeName:{CHAINCODE} collectionName: mdata_{RETAILER}"
)


@dataclass
class Audit:
    network: TestNetwork
    utility: EnergyClient
    household: EnergyClient  # RetailerMSP "erin", consumer
    auditor: EnergyClient  # ProsumerMSP "carol", role auditor
    bob: EnergyClient  # ProsumerMSP consumer
    participant: str  # the household's participant id
    signatures: list[bytes]
    bill: bytes


@pytest.fixture(scope="module")
def audit(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Audit]:
    network = three_org_devnet(request, tmp_path_factory, "auditor")
    try:
        yield from _audited(network)
    finally:
        network.stop()


def _audited(network: TestNetwork) -> Iterator[Audit]:
    with (
        EnergyClient.connect(network.profile, OPERATOR, "utility") as utility,
        EnergyClient.connect(network.profile, RETAILER, "erin") as household,
        EnergyClient.connect(network.profile, PROSUMER, "carol") as auditor,
        EnergyClient.connect(network.profile, PROSUMER, "bob") as bob,
    ):
        utility.set_tariff(tariff_v1())
        roles = ((household, Role.CONSUMER), (auditor, Role.AUDITOR), (bob, Role.CONSUMER))
        for client, role in roles:
            utility.register_participant(client.whoami(), role, zone="north", display_name="a")
            client.refresh_whoami()
        participant = household.whoami().participant_id
        signer = MeterSigner.simulated(METER, seed="auditor test household")
        utility.register_meter(
            METER, participant, "consumption", "grid", "north", signer.public_key_pem
        )
        registers = [(5_000 + 250 * i, 0) for i in range(97)]
        readings = list(signer.sign_series(DAY, registers))
        assert utility.submit_readings(readings).stored == 97
        bill = utility.settle(participant, DAY, NEXT)
        yield Audit(
            network,
            utility,
            household,
            auditor,
            bob,
            participant,
            [r.signature for r in readings],
            bill.to_json(),
        )


@pytest.mark.parametrize("exporter", ["utility", "household"])
def test_a_member_exports_and_every_record_matches_the_auditors_own_peer(
    audit: Audit, exporter: str
) -> None:
    member: EnergyClient = getattr(audit, exporter)
    records = member.audit_meter_data(audit.participant, DAY, NEXT)
    assert [(r.kind, r.subject, r.at) for r in records] == [
        ("day", METER, "2025-04-07T00:00:00Z"),
        ("statement", audit.participant, "2025-04-07T00:00:00Z"),
        ("bill", audit.participant, "2025-04-07T00:00:00Z/2025-04-08T00:00:00Z"),
        ("day", METER, "2025-04-08T00:00:00Z"),  # the next midnight's reading
    ]
    assert {r.collection for r in records} == {f"mdata_{RETAILER}"}
    day = json.loads(records[0].value)
    assert len(day) == 96 and base64.b64decode(day[0]["signature"]) == audit.signatures[0]
    assert records[2].value == audit.bill
    assert all(METER not in r.key for r in records)  # salted keys
    exported = json.dumps([r.to_json_dict() for r in records])
    checks = audit.auditor.verify_audit(read_audit_records(exported))
    assert [c.verdict for c in checks] == [AuditVerdict.MATCHES] * len(records)
    assert all(c.peer_sha256 == c.record.sha256 for c in checks)


def test_a_changed_byte_differs_and_an_unknown_key_is_absent(audit: Audit) -> None:
    records = audit.utility.audit_meter_data(audit.participant, DAY, DAY)
    first = records[0]
    flipped = bytes([first.value[0] ^ 1]) + first.value[1:]
    unknown = AuditRecord(first.collection, "0" * 64, "day", METER, first.at, first.value)
    checks = audit.auditor.verify_audit([replace(first, value=flipped), unknown, *records])
    assert [c.verdict for c in checks] == [
        AuditVerdict.DIFFERS,
        AuditVerdict.ABSENT,
        *[AuditVerdict.MATCHES] * len(records),
    ]
    assert checks[0].peer_sha256 == first.sha256


@pytest.mark.parametrize("peer", [RETAILER, OPERATOR, PROSUMER])
def test_the_auditor_gets_no_private_value_from_any_peer(audit: Audit, peer: str) -> None:
    """Member-only reads: a member's peer refuses the auditor's identity at the first private
    read, whatever the contract allows; its own peer is no member either."""
    args = [audit.participant, "2025-04-07T00:00:00Z", "2025-04-07T00:00:00Z", "64", ""]
    with pytest.raises(EvaluateError, match=READ_REFUSED):
        audit.auditor.contract.evaluate("AuditMeterData", *args, endorsing_orgs=[peer])


def test_a_participant_who_is_no_auditor_is_refused_by_the_contract(audit: Audit) -> None:
    with pytest.raises(AccessDenied, match="may not read the meter data of"):
        audit.bob.audit_meter_data(audit.participant, DAY, DAY)


def test_the_auditor_writes_nothing(audit: Audit) -> None:
    signer = MeterSigner.simulated(METER, seed="auditor test household")
    late = list(signer.sign_series(NEXT + timedelta(days=1), [(9_000_000, 0)]))
    # its readings go to the collection's members only (it is in none), who refuse it
    with pytest.raises(
        ReadingSubmissionError, match="access denied: only the utility or the m"
    ) as e:
        audit.auditor.submit_readings(late)
    (failure,) = e.value.summary.failures
    answered = {detail.msp_id for detail in failure.error.details}
    assert answered and answered <= {OPERATOR, RETAILER}  # never ProsumerMSP's own peer
    with pytest.raises(AccessDenied, match="only the utility"):
        audit.auditor.close_days(NEXT, [audit.participant])
    with pytest.raises(AccessDenied, match="only the utility"):
        audit.auditor.settle_period(audit.participant, NEXT, NEXT + timedelta(days=1))


def test_the_cli_exports_and_verifies(audit: Audit, tmp_path: Path) -> None:
    profile = ["--profile", str(audit.network.network_json)]
    utility = [*profile, "--org", OPERATOR, "--user", "utility"]
    auditor = [*profile, "--org", PROSUMER, "--user", "carol"]
    runner = CliRunner()
    export = ["energy", "audit", audit.participant, "2025-04-07", "2025-04-07"]
    exported = runner.invoke(app, [*export, "--json", *utility])
    assert exported.exit_code == 0, exported.output
    records = tmp_path / "records.json"
    records.write_text(exported.stdout)
    assert len(json.loads(exported.stdout)) == 3
    checked = runner.invoke(app, ["energy", "verify-audit", str(records), "--json", *auditor])
    assert checked.exit_code == 0, checked.output
    checks = json.loads(checked.stdout)
    assert [(c["kind"], c["verdict"]) for c in checks] == [
        ("day", "matches"),
        ("statement", "matches"),
        ("bill", "matches"),
    ]
    assert all(c["sha256"] == c["peer_sha256"] for c in checks)
    text = runner.invoke(app, ["energy", "verify-audit", str(records), *auditor])
    assert text.exit_code == 0, text.output
    assert "3 records checked on ProsumerMSP's peer: 3 match, 0 do not" in (
        " ".join(text.output.split())
    )
    tampered = json.loads(exported.stdout)
    tampered[2]["value"] = tampered[2]["value"].replace('"', "'", 1)
    records.write_text(json.dumps(tampered))
    differs = runner.invoke(app, ["energy", "verify-audit", str(records), "--json", *auditor])
    assert differs.exit_code == 1
    assert [c["verdict"] for c in json.loads(differs.stdout)] == ["matches", "matches", "differs"]
    for content, message in (("[{}]", "record 0: field 'encoding'"), (None, "cannot read")):
        if content is None:
            records.unlink()
        else:
            records.write_text(content)
        bad = runner.invoke(app, ["energy", "verify-audit", str(records), *auditor])
        assert bad.exit_code == 1 and message in bad.output, bad.output
        assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) == 1
    refused = runner.invoke(app, [*export, *profile, "--org", PROSUMER, "--user", "carol"])
    assert refused.exit_code == 1
    assert "does not have read access" in refused.output and "Traceback" not in refused.output


def _private_writes(audit: Audit, msp_id: str, user: str, peer: str) -> list[PrivateWrite]:
    """The ``mdata_RetailerMSP`` private writes that ``peer``'s DeliverWithPrivateData streams
    to ``msp_id``'s ``user``, up to the current height."""
    profile = audit.network.profile
    with profile.connect(OPERATOR) as operator:
        kv = operator.network(profile.channel).contract(CHAINCODE, "kv")
        height = kv.new_proposal("Noop").endorse().submit().status().block_number
    identity, signer = profile.identity(msp_id, user)
    org = profile.organization(peer)
    with connect(
        org.peer_endpoint,
        identity=identity,
        signer=signer,
        tls_root_cert=org.tls_ca_cert.read_bytes(),
    ) as gateway:
        stream = gateway.network(profile.channel).private_data_blocks(start_block=0)
        seen = read_until(stream, lambda b: b.number >= height)
    assert seen and seen[-1].number >= height  # every block came, with what it may carry
    return [w for b in seen for w in b.private_writes if w.collection == f"mdata_{RETAILER}"]


def test_a_members_peer_streams_no_private_writes_to_another_organisations_identity(
    audit: Audit,
) -> None:
    """DeliverWithPrivateData from RetailerMSP's peer (a member) to a ProsumerMSP identity
    carries none of ``mdata_RetailerMSP``'s private writes (Fabric's ``collPolicyChecker`` with
    member-only reads; scenario ``deliver_with_private_data``). It is organisation-level: any
    identity of a member organisation, here the household itself, streams them all
    (docs/private-data.md, "Auditors")."""
    assert _private_writes(audit, PROSUMER, "bob", RETAILER) == []
    assert _private_writes(audit, PROSUMER, "carol", RETAILER) == []
    writes = _private_writes(audit, RETAILER, "erin", RETAILER)
    assert any(w.value == audit.bill for w in writes)
