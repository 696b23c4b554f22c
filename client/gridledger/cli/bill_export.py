"""A bill as CSV: one row per line item, then the subtotal, tax and total rows.

Columns ``kind, label, quantity, unit, unit_price, amount``, in the ledger's integers: the
quantity in its ``unit`` (``Wh``, ``day``, or minor units for tax), the unit price per kWh
scaled by 10 000 (``Wh`` lines), minor units per day (``day`` lines) or basis points (tax), the
amount in minor units of the bill's currency (negative: a credit). The total rows have a kind
(``subtotal``, ``tax``, ``total``) and an amount only. The canonical JSON (``--format json``)
is the bill itself; this is for spreadsheets.
"""

from __future__ import annotations

import csv
import io

from gridledger.cli.render import Names, line_label
from gridledger.energy import Bill

CSV_COLUMNS = ("kind", "label", "quantity", "unit", "unit_price", "amount")


def bill_csv(bill: Bill, names: Names | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in bill.lines:
        writer.writerow(
            (
                line.kind.value,
                line_label(line, names),
                line.quantity,
                line.unit,
                line.unit_price,
                line.amount,
            )
        )
    for kind, amount in (("subtotal", bill.subtotal), ("tax", bill.tax), ("total", bill.total)):
        writer.writerow((kind, kind.capitalize(), "", "", "", amount))
    return out.getvalue()
