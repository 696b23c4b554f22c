"""``gridledger energy ...``: the energy market and billing from the command line."""

from __future__ import annotations

import typer
from gridledger.cli.energy import (
    audit,
    billing,
    bills,
    custodians,
    erasure,
    greenbutton,
    market,
    meters,
    participants,
    readings,
)

app = typer.Typer(
    help="Energy market and billing: participants, meters, readings, offers, bills.",
    no_args_is_help=True,
)
for name, command in (
    ("whoami", participants.whoami),
    ("register-participant", participants.register_participant),
    ("participants", participants.participants),
    ("meter-key", meters.meter_key),
    ("register-meter", meters.register_meter),
    ("deactivate-meter", meters.deactivate_meter),
    ("meters", meters.meters),
    ("register-custodian", custodians.register_custodian),
    ("custodians", custodians.custodians),
    ("set-meter-custodians", custodians.set_meter_custodians),
    ("import-readings", readings.import_readings),
    ("readings", readings.readings),
    ("import-greenbutton", greenbutton.import_greenbutton),
    ("export-greenbutton", greenbutton.export_greenbutton),
    ("offer", market.offer),
    ("offers", market.offers),
    ("buy", market.buy),
    ("withdraw", market.withdraw),
    ("trades", market.trades),
    ("set-tariff", billing.set_tariff),
    ("tariffs", billing.tariffs),
    ("settle", billing.settle),
    ("bill", billing.bill),
    ("preview-bill", billing.preview_bill),
    ("verify-bill", billing.verify_bill),
    ("bills", bills.bills),
    ("certificates", billing.certificates),
    ("erase-household", erasure.erase_household),
    ("audit", audit.audit),
    ("verify-audit", audit.verify_audit),
):
    app.command(name)(command)
