"""The synchronous client is generated from the asyncio one: the rewrite, and no drift."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOOL = ROOT / "tools" / "unasync.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rewrites_the_asyncio_words() -> None:
    source = (
        "from gridledger.gateway._async.contract import AsyncContract\n"
        "async def go(contract: AsyncContract) -> bytes:\n"
        "    async with aconnect() as gateway:\n"
        "        async for event in gateway.events():\n"
        "            await asyncio.sleep(1)\n"
        "    return await contract.submit_async('F')\n"
    )
    assert _tool().unasync_text(source) == (
        "from gridledger.gateway._sync.contract import Contract\n"
        "def go(contract: Contract) -> bytes:\n"
        "    with connect() as gateway:\n"
        "        for event in gateway.events():\n"
        "            time.sleep(1)\n"
        "    return contract.submit_async('F')\n"
    )


def test_drops_async_only_blocks_and_refuses_open_ones() -> None:
    tool = _tool()
    source = "a = 1\n# unasync: async only\nasync def aclose(): ...\n# unasync: end\nb = 2\n"
    assert tool.unasync_text(source) == "a = 1\nb = 2\n"
    with pytest.raises(ValueError, match="without"):
        tool.unasync_text("# unasync: async only\nx = 1\n")


def test_generated_sync_modules_match_their_asyncio_source() -> None:
    done = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
