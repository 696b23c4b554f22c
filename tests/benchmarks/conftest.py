"""The bench package lives at the repository's top level, outside the installed distributions:
its tests import it from there (this folder is the package ``benchmarks``, so nothing named
``bench`` under tests/ shadows it)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
