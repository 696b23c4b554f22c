"""Pro rata allocation of whole watt-hours (largest remainder, ties by key)."""

from __future__ import annotations

from collections.abc import Sequence


def allocate_pro_rata(total: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Split ``total`` Wh over ``(key, weight)`` proportionally to the weights, in whole Wh.

    Each key gets ``floor(total * w / W)``; the Wh left over go one each to the keys with the
    largest remainders, ties broken by key in ascending order. The parts sum to ``total``.
    Requires ``0 <= total <= W`` where ``W`` is the sum of the (positive) weights."""
    whole = sum(weight for _, weight in weights)
    if total == 0 or whole == 0:
        return {key: 0 for key, _ in weights}
    shares: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in weights:
        share, remainder = divmod(total * weight, whole)
        shares[key] = share
        remainders.append((-remainder, key))
    left = total - sum(shares.values())
    for _, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares
