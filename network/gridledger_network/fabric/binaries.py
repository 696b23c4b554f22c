"""Find Fabric's binaries: ``$FABRIC_BIN``, then the ``PATH``, then the project's cache folder.

The cache folder ``.cache/fabric/<version>/`` has the layout of Fabric's official release archive
(``bin/peer``, ``bin/orderer``, ... and ``config/core.yaml``, ``orderer.yaml``, ``configtx.yaml``);
``make fabric-binaries`` fills it on a machine with internet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

FABRIC_VERSION = "3.1.5"
REQUIRED = ("peer", "orderer", "configtxgen", "osnadmin")
SAMPLE_CONFIG = ("core.yaml", "orderer.yaml")
REPO_ROOT = Path(__file__).resolve().parents[3]


class BinariesNotFound(GridLedgerError):
    """No complete set of Fabric binaries; the message says where we looked and how to get them."""


@dataclass(frozen=True, slots=True)
class FabricBinaries:
    """Where ``peer``, ``orderer``, ``configtxgen``, ``osnadmin`` and the sample config are.

    ``origin`` says how they were found: ``$FABRIC_BIN``, ``PATH`` or ``cache``."""

    bin_dir: Path
    config_dir: Path
    origin: str = "cache"

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    @property
    def peer(self) -> str:
        return self.tool("peer")

    @property
    def orderer(self) -> str:
        return self.tool("orderer")

    @property
    def configtxgen(self) -> str:
        return self.tool("configtxgen")

    @property
    def osnadmin(self) -> str:
        return self.tool("osnadmin")

    def version(self) -> str:
        """The first line of ``peer version`` (e.g. ``Version: v3.1.5``), for logs and status."""
        out = subprocess.run(
            [self.peer, "version"], capture_output=True, text=True, check=False, timeout=20
        )
        for line in out.stdout.splitlines():
            if line.strip().startswith("Version:"):
                return line.split(":", 1)[1].strip()
        return "unknown"


def cache_dir(version: str = FABRIC_VERSION) -> Path:
    """``<repo>/.cache/fabric/<version>`` (or ``$GRIDLEDGER_CACHE/fabric/<version>``)."""
    base = Path(os.environ.get("GRIDLEDGER_CACHE", REPO_ROOT / ".cache"))
    return base / "fabric" / version


def _complete(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in REQUIRED)


def _config_dir_for(bin_dir: Path) -> Path | None:
    """The release archive puts ``config/`` next to ``bin/``; ``$FABRIC_CFG_PATH`` overrides."""
    candidates = [bin_dir.parent / "config"]
    if os.environ.get("FABRIC_CFG_PATH"):
        candidates.insert(0, Path(os.environ["FABRIC_CFG_PATH"]))
    for candidate in candidates:
        if all((candidate / name).is_file() for name in SAMPLE_CONFIG):
            return candidate.resolve()
    return None


def _candidates(version: str) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if os.environ.get("FABRIC_BIN"):
        found.append(("$FABRIC_BIN", Path(os.environ["FABRIC_BIN"]).expanduser()))
    on_path = shutil.which("peer")
    found.append(("PATH", Path(on_path).resolve().parent if on_path else Path("(no peer on PATH)")))
    found.append(("cache", cache_dir(version) / "bin"))
    return found


def find_binaries(version: str = FABRIC_VERSION) -> FabricBinaries:
    """The first complete set among ``$FABRIC_BIN``, ``PATH`` and the cache; else raise."""
    looked: list[str] = []
    for origin, bin_dir in _candidates(version):
        if not _complete(bin_dir):
            looked.append(f"{origin}: {bin_dir}")
            continue
        config_dir = _config_dir_for(bin_dir)
        if config_dir is None:
            looked.append(f"{origin}: {bin_dir} (binaries, but no ../config with core.yaml)")
            continue
        return FabricBinaries(bin_dir.resolve(), config_dir, origin)
    raise BinariesNotFound(
        f"Fabric binaries ({', '.join(REQUIRED)}) not found; looked in "
        + "; ".join(looked)
        + f". Run `make fabric-binaries` (downloads Fabric {version}'s release archive into "
        f"{cache_dir(version)}) or point FABRIC_BIN at a folder holding them."
    )
