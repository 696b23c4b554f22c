"""Rich renderings of energy results: itemised bills, offers, trades, certificates.

Participant ids are long (``<MSP id>::<certificate subject>``); every function takes an optional
``names`` mapping from participant id to a display name (the registered one, see
``gridledger.cli.energy.names``) and falls back to the certificate's CN. Record ids (offers,
trades, certificates) are printed whole: ``print_table`` prints a table at its natural width
when the terminal is narrower, rather than cutting them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from gridledger.energy import (
    Bill,
    BillVerification,
    Certificate,
    LineItem,
    LineKind,
    Offer,
    Trade,
    format_amount,
    format_energy,
    format_price,
)
from gridledger.energy.instants import to_datetime
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

Names = Mapping[str, str]
SPARK = "▁▂▃▄▅▆▇█"


def short_name(participant_id: str, names: Names | None = None) -> str:
    if names and participant_id in names:
        return names[participant_id]
    cn = participant_id.rpartition("/CN=")[2]
    return cn.split("@", 1)[0] if cn else participant_id


def _time(instant: int) -> str:
    return f"{to_datetime(instant):%Y-%m-%d %H:%M}"


def _percent(basis_points: int) -> str:
    return f"{basis_points / 100:.1f} %"


def line_label(line: LineItem, names: Names | None = None) -> str:
    who = short_name(line.counterparty, names) if line.counterparty else ""
    labels = {
        LineKind.TRADE_PURCHASE: f"Energy bought from {who}",
        LineKind.TRADE_SALE: f"Energy sold to {who}",
        LineKind.UTILITY_ENERGY: f"Grid energy, {line.band} band",
        LineKind.IMBALANCE_CREDIT: "Bought, not consumed (feed-in credit)",
        LineKind.UNDER_DELIVERY: f"Sold, not delivered ({line.band} band)",
        LineKind.EXPORT_CREDIT: "Exported, not sold (feed-in credit)",
        LineKind.GRID_FEE: "Grid fee on metered energy",
        LineKind.FIXED_FEE: "Fixed fee",
        LineKind.TAX: f"Tax {line.unit_price / 100:.2f} %",
    }
    return labels[line.kind]


def _quantity(line: LineItem) -> str:
    if line.unit == "Wh":
        text = f"{format_energy(line.quantity)} kWh"
        if line.kind is LineKind.TRADE_PURCHASE and line.covered_wh != line.quantity:
            text += f" ({format_energy(line.covered_wh)} used)"
        return text
    if line.unit == "day":
        return f"{line.quantity} day{'s' if line.quantity != 1 else ''}"
    return f"on {format_amount(line.quantity)}"


def _unit_price(line: LineItem) -> str:
    if line.unit == "Wh":
        return f"{format_price(line.unit_price)} ct/kWh"
    if line.unit == "day":
        return f"{format_amount(line.unit_price)}/day"
    return ""


def _sparkline(bill: Bill) -> str:
    cells = []
    for hour in bill.matched_hours:
        level = min(len(SPARK) - 1, hour.share_bp * len(SPARK) // 10_001)
        cells.append(SPARK[level] if hour.matched_wh else "·")
    return "".join(cells)


def bill_panel(
    bill: Bill,
    names: Names | None = None,
    verification: BillVerification | None = None,
    title: str | None = None,
) -> Panel:
    """An itemised bill: lines, totals, certificate matching and (optionally) verification."""
    table = Table(show_header=True, header_style="bold", expand=False, box=None, pad_edge=False)
    table.add_column("item")
    table.add_column("quantity", justify="right")
    table.add_column("unit price", justify="right")
    table.add_column(f"amount {bill.currency}", justify="right")
    for line in bill.lines:
        amount = Text(format_amount(line.amount), style="green" if line.amount < 0 else "")
        table.add_row(line_label(line, names), _quantity(line), _unit_price(line), amount)
    table.add_section()
    table.add_row("Subtotal", "", "", format_amount(bill.subtotal))
    table.add_row("Tax", "", "", format_amount(bill.tax))
    table.add_row(Text("Total", style="bold"), "", "", Text(format_amount(bill.total), "bold"))

    total = bill.matched_total
    parts: list[RenderableType] = [table, Text("")]
    if total.consumed_wh:
        parts.append(
            Text.assemble(
                ("Renewable match: ", "bold"),
                f"{format_energy(total.matched_wh)} of {format_energy(total.consumed_wh)} kWh "
                f"consumed backed by certificates = ",
                (_percent(total.share_bp), "bold green" if total.matched_wh else ""),
            )
        )
        if bill.matched_hours:
            first = to_datetime(bill.matched_hours[0].start)
            parts.append(Text(f"  per hour from {first:%H:%M} UTC: {_sparkline(bill)}"))
        if bill.certificates_claimed:
            claimed = sum(wh for _, wh in bill.certificates_claimed)
            parts.append(
                Text(
                    f"  {len(bill.certificates_claimed)} certificates retired against this bill "
                    f"({format_energy(claimed)} kWh)"
                )
            )
    if not bill.complete:
        parts.append(
            Text(
                f"INCOMPLETE: {len(bill.missing_readings)} readings missing, "
                f"{len(bill.unsettled_intervals)} intervals not billed",
                style="bold red",
            )
        )
    parts.append(Text(f"inputs hash {bill.inputs_hash}", style="dim"))
    if verification is not None:
        if verification.matches:
            parts.append(Text("✔ verify_bill: recomputed from the ledger, identical", "green"))
        else:
            parts.append(
                Text(
                    f"✘ verify_bill: MISMATCH (stored total {verification.stored_total}, "
                    f"recomputed {verification.recomputed_total})",
                    "bold red",
                )
            )
    heading = title or (
        f"{short_name(bill.participant, names)} — {_time(bill.period_start)} to "
        f"{_time(bill.period_end)} UTC"
    )
    return Panel(Group(*parts), title=heading, title_align="left", expand=False)


def titled_table(
    title: str, columns: Iterable[str], right: Collection[str] = (), whole: Collection[str] = ()
) -> Table:
    """An empty table with a bold header; the ``right`` columns (numbers) are right-aligned,
    the ``whole`` ones (ids) are never wrapped or cut."""
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(
            column, justify="right" if column in right else "left", no_wrap=column in whole
        )
    return table


def print_table(console: Console, table: Table) -> None:
    """``table`` on ``console``, at its natural width when the console is narrower (ids stay
    whole and copyable; a terminal wraps the long lines)."""
    natural = Measurement.get(console, console.options.update_width(100_000), table).maximum
    if natural <= console.width:
        console.print(table)
        return
    wide = Console(
        file=console.file,
        width=natural,
        force_terminal=console.is_terminal,
        color_system=console.color_system,  # type: ignore[arg-type]
    )
    wide.print(table)


def offers_table(offers: Sequence[Offer], names: Names | None = None) -> Table:
    table = titled_table(
        "Offers",
        (
            "offer",
            "seller",
            "source",
            "zone",
            "delivery (UTC)",
            "left / offered per 15 min",
            "price ct/kWh",
        ),
        right=("left / offered per 15 min", "price ct/kWh"),
        whole=("offer",),
    )
    for offer in offers:
        table.add_row(
            offer.offer_id,
            short_name(offer.seller, names),
            offer.source.value,
            offer.zone,
            f"{_time(offer.interval_start)} to {to_datetime(offer.interval_end):%H:%M}",
            f"{format_energy(offer.remaining_wh)} / {format_energy(offer.quantity_wh)} kWh",
            format_price(offer.price),
        )
    return table


def trades_table(trades: Sequence[Trade], names: Names | None = None) -> Table:
    table = titled_table(
        "Trades",
        ("trade", "interval (UTC)", "seller", "buyer", "source", "kWh", "price ct/kWh"),
        right=("kWh", "price ct/kWh"),
        whole=("trade",),
    )
    for trade in trades:
        table.add_row(
            trade.trade_id,
            _time(trade.interval_start),
            short_name(trade.seller, names),
            short_name(trade.buyer, names),
            trade.source.value,
            format_energy(trade.quantity_wh),
            format_price(trade.price),
        )
    return table


def certificates_table(certificates: Sequence[Certificate], names: Names | None = None) -> Table:
    table = titled_table(
        "Certificates",
        ("certificate", "interval (UTC)", "meter", "source", "kWh", "owner", "status"),
        right=("kWh",),
        whole=("certificate",),
    )
    for certificate in certificates:
        table.add_row(
            certificate.certificate_id,
            _time(certificate.interval_start),
            certificate.meter_id,
            certificate.source.value,
            format_energy(certificate.wh),
            short_name(certificate.owner, names),
            certificate.status.value,
        )
    return table
