"""Prices on the ledger: integer minor units per kWh with 4 fixed decimals (docs/settlement.md).

``price_from_minor_per_kwh("25.34")`` -> ``253400`` (25.34 ct/kWh); ``format_price(253400)`` ->
``"25.3400"``; amounts are integer minor units (cents), ``format_amount(-1234)`` -> ``"-12.34"``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gridledger_domain.units import PRICE_SCALE


def price_from_minor_per_kwh(value: str | int | Decimal) -> int:
    """Minor units per kWh (at most 4 decimals) -> the ledger's integer price."""
    try:
        scaled = Decimal(value) * PRICE_SCALE
    except InvalidOperation as exc:
        raise ValueError(f"not a price: {value!r}") from exc
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise ValueError(f"a price has at most 4 decimals and is not negative: {value!r}")
    return int(scaled)


def format_price(price: int) -> str:
    """The ledger's integer price as minor units per kWh, e.g. ``"25.3400"``."""
    return f"{Decimal(price) / PRICE_SCALE:.4f}"


def format_amount(amount: int, decimals: int = 2) -> str:
    """Minor units as a currency amount, e.g. ``-1234`` -> ``"-12.34"``."""
    return f"{Decimal(amount).scaleb(-decimals):.{decimals}f}"


def format_energy(wh: int) -> str:
    """Wh in kWh with 3 decimals, e.g. ``12345`` -> ``"12.345"``."""
    return f"{Decimal(wh) / 1000:.3f}"
