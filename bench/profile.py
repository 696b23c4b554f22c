"""``python -m bench.profile``: run one workload and sample the devnet and chaincode with py-spy.

    python -m bench.profile --workload addto --chaincode python --inflight 64 --seconds 15

Writes py-spy's collapsed stacks per process into ``--out`` (default $TMPDIR/gridledger-profiles)
and prints
the functions with the most samples (own time and including callees) for each process.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.network import start_devnet_network
from bench.runner import PointSpec, run_point

TOP = 25
PYSPY_FLAGS = ["--nonblocking", "--gil"]


def summarize(collapsed: Path, top: int = TOP) -> str:
    """Own and inclusive sample counts per function from py-spy's ``raw`` (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1] if " (" in f else f
            for f in stack.split(";")
        ]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return "(no samples)"
    lines = [f"{total} samples", "own%   incl%  function"]
    for frame, count in own.most_common(top):
        lines.append(f"{100 * count / total:5.1f}  {100 * inclusive[frame] / total:5.1f}  {frame}")
    lines.append("-- most inclusive --")
    for frame, count in inclusive.most_common(top):
        lines.append(f"{100 * own[frame] / total:5.1f}  {100 * count / total:5.1f}  {frame}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--workload", default="addto")
    parser.add_argument("--client", default="node", choices=("node", "python"))
    parser.add_argument("--chaincode", default="python", choices=("node", "python"))
    parser.add_argument("--inflight", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument(
        "--native", action="store_true", help="all threads with native frames (not only the GIL)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "gridledger-profiles"
    )
    args = parser.parse_args()
    if args.native:
        PYSPY_FLAGS[:] = ["--native", "--threads"]
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gridledger-profile-") as scratch:
        network = start_devnet_network(Path(scratch) / "devnet", with_node=True)
        try:
            targets = {"devnet": network.processes["devnet"]}
            if args.chaincode == "python":
                targets["python-cc"] = network.processes["python cc"]
            samplers = {}
            for name, pid in targets.items():
                path = args.out / f"{args.workload}-{name}.collapsed"
                samplers[name] = (
                    path,
                    subprocess.Popen(
                        [
                            py_spy,
                            "record",
                            "--pid",
                            str(pid),
                            "--format",
                            "raw",
                            "--rate",
                            str(args.rate),
                            "--duration",
                            str(int(args.seconds + 3)),
                            *PYSPY_FLAGS,
                            "--output",
                            str(path),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            spec = PointSpec(args.client, args.chaincode, args.workload, args.inflight)
            point = run_point(
                network,
                spec,
                warmup=1.0,
                duration=args.seconds,
                prefix="prof-",
                log_dir=network.home / "logs",
            )
            for _, sampler in samplers.values():
                sampler.wait(60)
        finally:
            network.stop()
    print(
        f"{spec}: {point.tx_per_second:.1f} tx/s, CPU ms/tx "
        + ", ".join(f"{role} {point.cpu_ms_per_tx(role):.2f}" for role in point.cpu_seconds)
    )
    for name, (path, _) in samplers.items():
        print(f"\n== {name} ({path}) ==\n{summarize(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
