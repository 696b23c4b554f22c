"""One simulated market day, played through the typed client ``gridledger.energy``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gridledger.billing import RunnerOptions, open_runner
from gridledger.cli.render import bill_panel, offers_table, short_name
from gridledger.energy import (
    Bill,
    BillVerification,
    EnergyClient,
    Offer,
    Progress,
    Role,
    SignedReading,
    SubmissionSummary,
    Tariff,
    TouBand,
    format_amount,
    format_energy,
    price_from_minor_per_kwh,
)
from gridledger.energy.instants import to_datetime
from gridledger.profile import ConnectionProfile
from gridledger_domain import INTERVAL_SECONDS, format_utc, from_datetime, parse_utc
from gridledger_domain.vocabulary import BillingCycle
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as ProgressBar
from rich.table import Table

from demo.cast import OFFERS, OPERATOR, SHOPPING, Actor, Shopping, market_cast

DAY = datetime(2025, 6, 21, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
BILLED = (Role.PRODUCER, Role.CONSUMER, Role.PROSUMER)


def demo_tariff() -> Tariff:
    ct = price_from_minor_per_kwh
    return Tariff(
        1,
        parse_utc("2025-06-01T00:00:00Z"),
        (
            TouBand("night", 0, ct("21.0")),
            TouBand("day", 6 * 60, ct("29.0")),
            TouBand("peak", 17 * 60, ct("36.0")),
            TouBand("evening", 21 * 60, ct("26.0")),
        ),
        feed_in_price=ct("8.0"),
        grid_fee=ct("6.5"),
        fixed_fee_per_day=35,
        tax_rate_bp=1900,
        billing_cycle=BillingCycle.DAILY,
    )


@dataclass(frozen=True, slots=True)
class SettledBill:
    actor: Actor
    bill: Bill
    verification: BillVerification


@dataclass(frozen=True, slots=True)
class MarketDay:
    bills: tuple[SettledBill, ...]
    readings: SubmissionSummary
    trades: int
    auditor_verified: int


def _clock(instant: int) -> str:
    return f"{to_datetime(instant):%H:%M}"


def _at(hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return DAY + timedelta(hours=hours, minutes=minutes)


class Scene:
    """The clients of everyone on stage, and the console the day is told on."""

    def __init__(self, profile: ConnectionProfile, console: Console, stack: ExitStack) -> None:
        self.profile = profile
        self.console = console
        self.cast = market_cast()
        self.utility = stack.enter_context(EnergyClient.connect(profile, OPERATOR, "utility"))
        self.clients = {
            actor.key: stack.enter_context(EnergyClient.connect(profile, actor.msp_id, actor.user))
            for actor in self.cast
        }
        self.actors = {actor.key: actor for actor in self.cast}
        self.ids: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.started = time.monotonic()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.console.rule(f"[bold]{title}")
        began = time.monotonic()
        yield
        self.console.print(f"[dim]  {title}: {time.monotonic() - began:.2f}s[/dim]")

    def client(self, key: str) -> EnergyClient:
        return self.clients[key]


def register_everyone(scene: Scene) -> None:
    with scene.step("1. The utility registers participants and their meters"):
        for actor in scene.cast:
            me = scene.client(actor.key).whoami()
            scene.utility.register_participant(
                me, actor.role, zone=actor.zone, display_name=actor.display_name
            )
            scene.ids[actor.key] = me.participant_id
            scene.names[me.participant_id] = actor.display_name
            scene.console.print(
                f"  {actor.display_name:<24} {actor.role.value:<9} {me.msp_id:<16} "
                f"CN={short_name(me.participant_id)}"
            )
        for actor in scene.cast:
            for plan in actor.meters:
                meter = scene.utility.register_meter(
                    plan.meter_id,
                    scene.ids[actor.key],
                    plan.kind,
                    plan.source,
                    actor.zone,
                    plan.signer.public_key_pem,
                )
                scene.console.print(
                    f"  meter {meter.meter_id:<17} {meter.kind.value:<13} {meter.source.value:<6}"
                    f" owner {actor.display_name} (device key registered)"
                )
        tariff = scene.utility.set_tariff(demo_tariff())
        bands = ", ".join(f"{b.name} from {b.start_minute // 60:02d}:00" for b in tariff.bands)
        scene.console.print(
            f"  tariff v{tariff.version} from {format_utc(tariff.effective_from)[:10]}: {bands}"
        )


def post_offers(scene: Scene) -> None:
    with scene.step("2. Producers post offers"):
        for plan in OFFERS:
            offer = scene.client(plan.seller).post_offer(
                plan.meter_id,
                _at(plan.start),
                plan.count,
                plan.quantity_wh,
                price_from_minor_per_kwh(plan.price_ct_per_kwh),
            )
            scene.console.print(
                f"  {scene.actors[plan.seller].display_name} offers "
                f"{format_energy(offer.quantity_wh)} kWh per 15 min from "
                f"{_clock(offer.interval_start)} to {_clock(offer.interval_end)} at "
                f"{plan.price_ct_per_kwh} ct/kWh"
            )
        noon = scene.client("bob").list_offers(_at("12:00")).all()
        scene.console.print(offers_table(noon, scene.names), "  (the market at 12:00 UTC)")


def _expected_wh(actor: Actor, offer: Offer) -> float:
    first = (offer.interval_start - from_datetime(DAY)) // INTERVAL_SECONDS
    days = [plan.day for plan in actor.meters]
    window = range(first, min(first + offer.interval_count, 96))
    total = sum(day.imported[i] for day in days for i in window)
    return total / max(len(window), 1)


def go_shopping(scene: Scene) -> int:
    trades = 0
    with scene.step("3. Consumers compare offers and buy"):
        for wish in SHOPPING:
            trades += _shop(scene, wish)
    return trades


def _shop(scene: Scene, wish: Shopping) -> int:
    buyer = scene.client(wish.buyer)
    actor = scene.actors[wish.buyer]
    me = scene.ids[wish.buyer]
    offers = [o for o in buyer.list_offers(_at(wish.at), source=wish.source) if o.seller != me]
    if not offers:
        return 0
    offer = offers[0]
    wanted = int(_expected_wh(actor, offer) * wish.share) // 10 * 10
    quantity = min(wanted, offer.remaining_wh)
    if quantity <= 0:
        return 0
    trades = buyer.buy(offer.offer_id, quantity)
    scene.console.print(
        f"  {actor.display_name} buys {format_energy(quantity)} kWh per 15 min from "
        f"{scene.names[offer.seller]} ({offer.source.value}, cheapest of {len(offers)}) "
        f"for {len(trades)} intervals from {_clock(offer.interval_start)}"
    )
    return len(trades)


def meter_readings(scene: Scene) -> list[SignedReading]:
    readings: list[SignedReading] = []
    for actor in scene.cast:
        for plan in actor.meters:
            start_import, start_export = plan.start_registers
            registers = plan.day.registers(start_import, start_export)
            readings.extend(plan.signer.sign_series(DAY, registers))
    return readings


def submit_readings(scene: Scene) -> SubmissionSummary:
    with scene.step("4. Meters sign their readings; the head-end submits them in bulk"):
        readings = meter_readings(scene)
        meters = len({r.reading.meter_id for r in readings})
        scene.console.print(f"  {len(readings)} readings signed by {meters} meters' own keys")
        columns = (
            TextColumn("  submitting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("readings"),
            TimeElapsedColumn(),
        )
        with ProgressBar(*columns, console=scene.console, transient=False) as bar:
            task = bar.add_task("readings", total=len(readings))

            def update(progress: Progress) -> None:
                bar.update(task, completed=progress.readings_done)

            summary = scene.utility.submit_readings(
                readings, batch_size=250, max_in_flight=4, on_progress=update
            )
        scene.console.print(
            f"  {summary.stored} stored in {len(summary.batches)} transactions, "
            f"{summary.certificates_issued} renewable certificates issued "
            f"({summary.readings_per_second:.0f} readings/s)"
        )
        return summary


def bill_and_verify(scene: Scene, billing: Path) -> tuple[tuple[SettledBill, ...], int]:
    settled: list[SettledBill] = []
    billed = [actor for actor in scene.cast if actor.role in BILLED]
    with scene.step("5. The billing runner closes the day and bills everyone"):
        # what `gridledger billing run --once --since 2025-06-21 --until 2025-06-22` does
        options = RunnerOptions(since=from_datetime(DAY), until=from_datetime(NEXT_DAY))

        def echo(line: str) -> None:
            scene.console.out(f"  {line}")

        with open_runner(scene.profile, billing, OPERATOR, echo, options=options) as runner:
            echo(runner.run_pass().line())
        for actor in billed:
            bill = scene.utility.bill(scene.ids[actor.key], DAY, NEXT_DAY)
            scene.console.print(
                f"  {actor.display_name:<24} total {format_amount(bill.total):>9} {bill.currency}"
            )
    with scene.step("6. Everyone reads and verifies their own bill"):
        for actor in billed:
            client = scene.client(actor.key)
            bill = client.bill(None, DAY, NEXT_DAY)
            verification = client.verify_bill(None, DAY, NEXT_DAY)
            settled.append(SettledBill(actor, bill, verification))
            scene.console.print(bill_panel(bill, scene.names, verification))
    auditor = scene.client("auditor")
    verified = sum(
        auditor.verify_bill(scene.ids[actor.key], DAY, NEXT_DAY).matches for actor in billed
    )
    return tuple(settled), verified


def summary_table(day: MarketDay) -> Table:
    table = Table(title="Market day 2025-06-21 — summary", header_style="bold")
    table.add_column("participant")
    table.add_column("role")
    table.add_column("total", justify="right")
    table.add_column("renewable match", justify="right")
    table.add_column("verify_bill")
    for item in day.bills:
        total = item.bill.matched_total
        share = f"{total.share_bp / 100:.1f} %" if total.consumed_wh else "—"
        table.add_row(
            item.actor.display_name,
            item.actor.role.value,
            f"{format_amount(item.bill.total)} {item.bill.currency}",
            share,
            "✔ matches" if item.verification.matches else "✘ MISMATCH",
        )
    return table


def run_market_day(profile: ConnectionProfile, console: Console, billing: Path) -> MarketDay:
    """The market day; ``billing``: the billing runner's folder (outbox and state)."""
    with ExitStack() as stack:
        scene = Scene(profile, console, stack)
        register_everyone(scene)
        post_offers(scene)
        trades = go_shopping(scene)
        readings = submit_readings(scene)
        bills, verified = bill_and_verify(scene, billing)
        return MarketDay(bills, readings, trades, verified)
