"""The ledger's units: energy, money, prices and tax rates are integers.

- Energy: integer watt-hours (Wh).
- Money: integer minor currency units (e.g. cents); positive = the participant pays.
- Prices: integer minor units per kWh scaled by ``PRICE_SCALE`` (4 fixed decimals), so
  25.34 cents/kWh is ``253400``.
- Tax rates: integer basis points (1/100 of a percent), 19 % is ``1900``.
"""

from __future__ import annotations

PRICE_DECIMALS = 4
PRICE_SCALE = 10**PRICE_DECIMALS
WH_PER_KWH = 1000
BASIS_POINTS = 10_000
MAX_PRICE = 10**12
"""Upper bound for any price field (10^8 minor units per kWh): refuses absurd inputs."""


def divide_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (``denominator > 0``) rounded to the nearest integer, exact
    halves to the even one: Python's ``round`` of the exact fraction, in integer arithmetic."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient
