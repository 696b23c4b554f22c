"""Our chaincode with the meter-signature check removed: what a dishonest member organisation
could run on its own peers (tests/fabric/test_private_data_adversary.py). Served like
``gridledger-chaincode`` (the same CCaaS settings): ``python -m fabric.tampered_chaincode``
with ``tests/`` on ``PYTHONPATH``."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from gridledger_chaincode.__main__ import main
from gridledger_chaincode.energy import readings
from gridledger_domain.batch import BatchVerdict

_verify = readings.verify_batch


def _accept_every_signature(*args: Any, **kwargs: Any) -> list[BatchVerdict]:
    return [dataclasses.replace(v, reason="") for v in _verify(*args, **kwargs)]


readings.verify_batch = _accept_every_signature  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main())
