"""Integer money and prices, and the one rounding rule (round half to even, once per line).

- Energy: integer watt-hours (Wh).
- Money: integer minor currency units (e.g. cents); positive = the participant pays.
- Prices: integer minor units per kWh scaled by ``PRICE_SCALE`` (4 fixed decimals), so
  25.34 cents/kWh is ``253400``.
- Tax rates: integer basis points (1/100 of a percent), 19 % is ``1900``.
"""

from __future__ import annotations

from fractions import Fraction

PRICE_DECIMALS = 4
PRICE_SCALE = 10**PRICE_DECIMALS
WH_PER_KWH = 1000
BASIS_POINTS = 10_000
MAX_PRICE = 10**12
"""Upper bound for any price field (10^8 minor units per kWh): refuses absurd inputs."""


def energy_value(wh: int, price: int) -> Fraction:
    """Exact money value (minor units) of ``wh`` watt-hours at ``price`` (scaled, per kWh)."""
    return Fraction(wh * price, WH_PER_KWH * PRICE_SCALE)


def round_half_even(value: Fraction) -> int:
    """Round an exact amount to the nearest minor unit; exact halves go to the even unit."""
    return round(value)


def apply_rate(amount: int, rate_bp: int) -> int:
    """``amount`` times ``rate_bp`` basis points, rounded half to even."""
    return round_half_even(Fraction(amount * rate_bp, BASIS_POINTS))
