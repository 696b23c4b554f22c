"""The ingest suite's Green Button figure: importing generated ESPI files of ``points`` usage
points x ``days`` of hourly data into hourly meters (``register_meter(..., interval_minutes=60)``)
through the durable outbox, as ``gridledger energy import-greenbutton`` does.

One file per usage point (as utilities deliver them: one customer's download each), generated
here: one IntervalBlock per UTC day of 24 hourly IntervalReadings, Wh. The import is timed by
phase, and the client's CPU (this process: parsing, planning, signing, the outbox and gRPC) is
set against the devnet's and the chaincode's, to say where the time goes. The issue's figure is
100 usage points x 365 days (876,000 readings) at ≥ 2,500 readings/s: ``--greenbutton-points 100
--greenbutton-days 365``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gridledger.energy import Conflict, EnergyClient, HeadEnd, MeterSigner
from gridledger.greenbutton import (
    Mapping,
    accumulate,
    check_files,
    ledger_lookup,
    meter_lengths,
    read_feed,
    submit_through_outbox,
)
from gridledger.outbox import Outbox, OutboxDrainer
from gridledger.profile import ConnectionProfile
from gridledger_domain import parse_utc

from bench.network import OPERATOR, PROSUMER, PYTHON_CHAINCODE, BenchNetwork
from bench.procstat import cpu_seconds

START = parse_utc("2026-01-01T00:00:00Z")
HOUR = 3_600
BASE = "https://utility.example/espi/1_1/resource/Subscription/bench"


def _entry(self_link: str, title: str, content: str, *related: str) -> str:
    links = "".join(f'<link rel="related" href="{r}"/>' for r in related)
    up = self_link.rsplit("/", 1)[0]
    return (
        f'<entry><link rel="self" href="{self_link}"/><link rel="up" href="{up}"/>{links}'
        f"<title>{title}</title><content>{content}</content></entry>\n"
    )


def write_usage_point(path: Path, point: int, title: str, days: int) -> int:
    """One usage point's file: ``days`` of hourly imports; returns its interval count."""
    usage = f"{BASE}/UsagePoint/{point}"
    reading = f"{usage}/MeterReading/1"
    kind = f"{BASE}/ReadingType/{point}"
    parts = [
        _entry(
            usage,
            title,
            "<espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind>"
            "</espi:ServiceCategory></espi:UsagePoint>",
            f"{usage}/MeterReading",
        ),
        _entry(reading, "hourly", "<espi:MeterReading/>", f"{reading}/IntervalBlock", kind),
        _entry(
            kind,
            "Wh",
            "<espi:ReadingType><espi:flowDirection>1</espi:flowDirection>"
            "<espi:intervalLength>3600</espi:intervalLength><espi:powerOfTenMultiplier>0"
            "</espi:powerOfTenMultiplier><espi:uom>72</espi:uom></espi:ReadingType>",
        ),
    ]
    for day in range(days):
        begin = START + day * 86_400
        values = "".join(
            f"<espi:IntervalReading><espi:timePeriod><espi:duration>{HOUR}</espi:duration>"
            f"<espi:start>{begin + h * HOUR}</espi:start></espi:timePeriod>"
            f"<espi:value>{150 + (point * 37 + day * 11 + h * 53) % 900}</espi:value>"
            "</espi:IntervalReading>"
            for h in range(24)
        )
        parts.append(
            _entry(
                f"{reading}/IntervalBlock/{day + 1}",
                "block",
                f"<espi:IntervalBlock><espi:interval><espi:duration>86400</espi:duration>"
                f"<espi:start>{begin}</espi:start></espi:interval>{values}</espi:IntervalBlock>",
            )
        )
    path.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:espi="http://naesb.org/espi">\n{"".join(parts)}</feed>\n',
        encoding="utf-8",
    )
    return 24 * days


@dataclass(frozen=True)
class GreenButtonResult:
    points: int
    days: int
    readings: int
    committed: int
    batch_size: int
    in_flight: int
    transactions: int
    parse_s: float
    plan_s: float
    sign_s: float
    submit_s: float
    client_cpu_s: float  # during submit
    devnet_cpu_s: float  # during submit: peers' endorsement, ordering, validation, commit
    chaincode_cpu_s: float  # during submit: SubmitReadings executed by both organisations

    @property
    def total_s(self) -> float:
        return self.parse_s + self.plan_s + self.sign_s + self.submit_s

    def row(self) -> str:
        return (
            f"| {self.points} x {self.days} d | {self.readings} | {self.committed} "
            f"| {self.batch_size} | {self.in_flight} | {self.transactions} "
            f"| {self.readings / self.total_s:.0f} | {self.readings / self.submit_s:.0f} "
            f"| {self.parse_s:.1f} / {self.plan_s:.1f} / {self.sign_s:.1f} / {self.submit_s:.1f} "
            f"| {self.client_cpu_s:.1f} / {self.devnet_cpu_s:.1f} / {self.chaincode_cpu_s:.1f} |"
        )


def greenbutton_report(results: list[GreenButtonResult]) -> str:
    return "\n".join(
        [
            "## ingest: Green Button import (hourly usage points, through the outbox)",
            "",
            "| files | readings | committed | batch | in flight | transactions | readings/s "
            "| submit readings/s | parse / plan / sign / submit s "
            "| submit CPU s client / devnet / chaincode |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            *(result.row() for result in results),
            "",
        ]
    )


def run_greenbutton(
    network: BenchNetwork,
    *,
    points: int,
    days: int,
    batch_size: int,
    in_flight: int,
    progress: Callable[[str], None],
    run: int = 0,
) -> GreenButtonResult:
    folder = network.home / f"greenbutton-{run}"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"GB{run}x{int(time.time()) % 100_000}"
    signers = [MeterSigner.simulated(f"{prefix}-{n:04d}", seed="bench") for n in range(points)]
    profile = network.home
    with (
        EnergyClient.connect(profile, OPERATOR, "utility") as utility,
        EnergyClient.connect(profile, PROSUMER, "bench-c00") as owner,
    ):
        me = owner.whoami()
        if not me.registered:
            utility.register_participant(me, "consumer", zone="north", display_name="bench")
        for signer in signers:
            with contextlib.suppress(Conflict):
                utility.register_meter(
                    signer.meter_id,
                    me.participant_id,
                    "consumption",
                    "grid",
                    "north",
                    signer.public_key_pem,
                    interval_minutes=60,
                )
    files = [folder / f"point-{n:04d}.xml" for n in range(points)]
    for n, (path, signer) in enumerate(zip(files, signers, strict=True)):
        write_usage_point(path, n, signer.meter_id, days)
    mapping = Mapping({signer.meter_id: signer.meter_id for signer in signers})
    head_end = HeadEnd(signers)
    progress(f"ingest: importing {points} Green Button files of {days} days of hourly data")

    began = time.perf_counter()
    parsed = [point for path in files for point in read_feed(path)]
    parse_s = time.perf_counter() - began
    began = time.perf_counter()
    with EnergyClient.connect(profile, OPERATOR, "utility") as utility:
        gathered, plan = check_files(parsed, mapping)
        accumulate(gathered, ledger_lookup(utility), plan, meter_lengths(utility))
    plan_s = time.perf_counter() - began
    began = time.perf_counter()
    signed = [
        head_end.sign(r.meter_id, r.interval_start, r.import_wh, r.export_wh) for r in plan.readings
    ]
    sign_s = time.perf_counter() - began

    connection_profile = ConnectionProfile.load(network.network_json)
    devnet_pid = network.processes["devnet"]
    chaincode_pids = [pid for role, pid in network.processes.items() if role != "devnet"]
    devnet_before = cpu_seconds(devnet_pid)
    chaincode_before = sum(cpu_seconds(pid) for pid in chaincode_pids)
    client_before = time.process_time()
    began = time.perf_counter()
    with (
        Outbox.open(folder / "outbox.sqlite") as outbox,
        OutboxDrainer(
            outbox, lambda: connection_profile.connect(OPERATOR, user="utility"), workers=in_flight
        ) as drainer,
    ):
        summary = submit_through_outbox(
            signed,
            outbox,
            drainer,
            channel=connection_profile.channel,
            chaincode=PYTHON_CHAINCODE,
            batch_size=batch_size,
        )
    submit_s = time.perf_counter() - began
    client_cpu = time.process_time() - client_before
    devnet_cpu = cpu_seconds(devnet_pid) - devnet_before
    chaincode_cpu = sum(cpu_seconds(pid) for pid in chaincode_pids) - chaincode_before
    if summary.failures:
        progress(f"ingest: Green Button import failures: {summary.failures[:3]}")
    return GreenButtonResult(
        points=points,
        days=days,
        readings=len(signed),
        committed=summary.stored + summary.duplicates,
        batch_size=batch_size,
        in_flight=in_flight,
        transactions=summary.batches,
        parse_s=parse_s,
        plan_s=plan_s,
        sign_s=sign_s,
        submit_s=submit_s,
        client_cpu_s=client_cpu,
        devnet_cpu_s=devnet_cpu,
        chaincode_cpu_s=chaincode_cpu,
    )
