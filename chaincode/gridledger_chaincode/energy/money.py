"""Money arithmetic and the one rounding rule (round half to even, once per line); the units
are in ``gridledger_domain.units``."""

from __future__ import annotations

from fractions import Fraction

from gridledger_domain.units import BASIS_POINTS, PRICE_SCALE, WH_PER_KWH


def energy_value(wh: int, price: int) -> Fraction:
    """Exact money value (minor units) of ``wh`` watt-hours at ``price`` (scaled, per kWh)."""
    return Fraction(wh * price, WH_PER_KWH * PRICE_SCALE)


def round_half_even(value: Fraction) -> int:
    """Round an exact amount to the nearest minor unit; exact halves go to the even unit."""
    return round(value)


def apply_rate(amount: int, rate_bp: int) -> int:
    """``amount`` times ``rate_bp`` basis points, rounded half to even."""
    return round_half_even(Fraction(amount * rate_bp, BASIS_POINTS))
