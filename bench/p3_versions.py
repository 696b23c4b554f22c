"""P3 of one checkout of the repository: a fresh devnet, P3 points at fixed in-flight counts.

    python -m bench.p3_versions HOME 4,16 WARMUP DURATION

P4scale runs this file once with this checkout's interpreter and once with a baseline
checkout's (``--p3-baseline DIR``: a checkout with its own ``.venv``, e.g. a worktree of the
commit before issue 16), from that checkout's folder, so each version is measured by its own
bench, devnet, client and chaincode. Only bench APIs that the baseline has too are used here
(``start_devnet_network``, ``run_point``). One JSON line per point on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.network import start_devnet_network
from bench.runner import PointSpec, run_point

READINGS_PER_TX = 500


def main(argv: list[str]) -> int:
    home, inflights, warmup, duration = Path(argv[0]), argv[1], float(argv[2]), float(argv[3])
    network = start_devnet_network(home, with_node=False)
    try:
        for index, inflight in enumerate(int(n) for n in inflights.split(",")):
            spec = PointSpec("python", "python", "readings", inflight)
            window = {"warmup": warmup, "duration": duration}
            extra = {"first-block": str(100 * (index + 1))}
            point = run_point(
                network, spec, **window, prefix=f"v{index}-", log_dir=home / "logs", extra=extra
            )
            line = {
                "inflight": inflight,
                "readings_per_second": point.tx_per_second * READINGS_PER_TX,
                "p50_ms": point.percentile_ms(0.5),
                "p99_ms": point.percentile_ms(0.99),
                "failed": point.failed,
                "first_error": point.first_error,
                "cpu_seconds": point.cpu_seconds,
                "readings": point.ok * READINGS_PER_TX,
            }
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
    finally:
        network.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
