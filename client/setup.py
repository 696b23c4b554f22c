"""Build hook of the client distribution: its synchronous modules (``gridledger/**/_sync``) are
generated from their asyncio source by ``unasync.py`` before setuptools collects the packages,
so every install or wheel has them although they are never committed."""

import runpy
from pathlib import Path

from setuptools import setup

runpy.run_path(str(Path(__file__).with_name("unasync.py")), run_name="unasync")["main"]([])
setup()
