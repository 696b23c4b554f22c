"""Wait until every organisation's gateway commits a transaction endorsed by both orgs.

A query works some 20 s before a submit does: until gossip has told a peer's gateway about the
other org's peer and its chaincodes, submits fail with ``no combination of peers can be derived
which satisfy the endorsement policy``. The probe submits ``kv:Noop`` through each org's gateway
and needs it to commit VALID, which under an ``AND`` policy means both orgs endorsed.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

log = logging.getLogger(__name__)

PROBE_CONTRACT = "kv"
PROBE_FUNCTION = "Noop"


class NotReady(GridLedgerError):
    """Some org's gateway did not commit a probe transaction in time; says which and why."""


def _probe(network_json: Path, msp_id: str, channel: str, chaincode: str) -> str | None:
    """None if a submit through ``msp_id``'s gateway committed; else the error text."""
    from gridledger.gateway import GatewayError  # the client library, imported only here
    from gridledger.profile import ConnectionProfile

    profile = ConnectionProfile.load(network_json)
    try:
        with profile.connect(msp_id, user="User1") as gateway:
            contract = gateway.network(channel).contract(chaincode, PROBE_CONTRACT)
            contract.submit(PROBE_FUNCTION, timeout=30)
    except GatewayError as err:
        return str(err)
    return None


def wait_until_submits_commit(
    network_json: Path, orgs: list[str], channel: str, chaincode: str, timeout: float
) -> float:
    """Probe each org until all commit; return the seconds waited, or raise ``NotReady``."""
    started = time.monotonic()
    pending = list(orgs)
    last_error = ""
    while pending:
        msp_id = pending[0]
        error = _probe(network_json, msp_id, channel, chaincode)
        if error is None:
            log.info(
                "%s's gateway committed a probe after %.1fs", msp_id, time.monotonic() - started
            )
            pending.pop(0)
            continue
        last_error = error
        if time.monotonic() - started > timeout:
            raise NotReady(
                f"{msp_id}'s gateway did not commit a {PROBE_CONTRACT}:{PROBE_FUNCTION} submit "
                f"within {timeout:.0f}s; last error:\n{last_error}"
            )
        time.sleep(1.0)
    return time.monotonic() - started
