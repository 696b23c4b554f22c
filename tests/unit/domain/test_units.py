"""The integer rounding shared by bills: the same answer as rounding the exact fraction."""

from __future__ import annotations

from fractions import Fraction

from gridledger_domain.units import divide_half_even
from hypothesis import given
from hypothesis import strategies as st


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**9))
def test_divide_half_even_rounds_like_the_exact_fraction(numerator: int, denominator: int) -> None:
    assert divide_half_even(numerator, denominator) == round(Fraction(numerator, denominator))


def test_exact_halves_go_to_the_even_integer() -> None:
    assert [divide_half_even(n, 2) for n in (-5, -3, -1, 1, 3, 5)] == [-2, -2, 0, 0, 2, 2]
