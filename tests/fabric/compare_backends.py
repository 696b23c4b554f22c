"""Run every scenario on the devnet and on real Fabric; print where a client sees a difference.

    PYTHONPATH=tests FABRIC_BIN=/path/to/fabric/bin .venv/bin/python -m fabric.compare_backends

Prints one block per difference; ``--json FILE`` keeps every observation; ``--record`` rewrites
``fabric_3.1.5_answers.json`` (what ``test_fabric_answers`` expects) from this run's Fabric;
``--only NAME`` (repeatable) runs those scenarios alone, and ``--record`` then rewrites only
their answers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.devnet import start_test_network

from fabric.backend import start_fabric_test_network
from fabric.scenarios import ANSWERS, SCENARIOS, ScenarioContext, run_all


def _observe(network: Any, scratch: Path, only: list[str]) -> dict[str, Any]:
    ctx = ScenarioContext(network.profile, network.channel, network.chaincode, scratch)
    return run_all(ctx, only or None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="write all observations here")
    parser.add_argument(
        "--record", action="store_true", help=f"rewrite {ANSWERS.name} with Fabric's answers"
    )
    parser.add_argument("--only", action="append", default=[], choices=sorted(SCENARIOS))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gridledger-compare-") as tmp:
        root = Path(tmp)
        observed: dict[str, dict[str, Any]] = {}
        devnet = start_test_network(root / "devnet", with_node_chaincode=False)
        try:
            observed["devnet"] = _observe(devnet, root / "scratch", args.only)
        finally:
            devnet.stop()
        fabric = start_fabric_test_network(root / "fabric", with_node_chaincode=False)
        try:
            observed["fabric"] = _observe(fabric, root / "scratch", args.only)
        finally:
            fabric.stop()
    if args.json:
        args.json.write_text(json.dumps(observed, indent=2, sort_keys=True), encoding="utf-8")
    if args.record:
        answers = json.loads(ANSWERS.read_text("utf-8")) if args.only else {}
        answers.update(observed["fabric"])
        ANSWERS.write_text(json.dumps(answers, indent=2, sort_keys=True) + "\n", "utf-8")
    differences = 0
    for name in observed["fabric"]:
        on_devnet, on_fabric = observed["devnet"].get(name), observed["fabric"][name]
        if on_devnet == on_fabric:
            print(f"same       {name}")
            continue
        differences += 1
        print(f"DIFFERENT  {name}")
        print(f"  devnet: {json.dumps(on_devnet, sort_keys=True)}")
        print(f"  fabric: {json.dumps(on_fabric, sort_keys=True)}")
    print(f"{differences} difference(s) in {len(observed['fabric'])} scenarios")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
