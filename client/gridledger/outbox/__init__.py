"""A durable outbox: keep submitting while the network is down; every item commits once.

    from gridledger.outbox import Outbox, OutboxDrainer

    outbox = Outbox.open()                 # ~/.local/share/gridledger/outbox.sqlite, or a path
    signed = meter.sign("2026-11-26T10:15:00Z", 1200, 35)   # a MeterSigner's reading
    outbox.enqueue("MTR-0001/2026-11-26T10:15Z", "energy", "gridledger", "SubmitReadings",
                   [json.dumps([signed.to_json_dict()])], contract="energy")
    with OutboxDrainer(outbox, lambda: profile.connect("GridOperatorMSP")) as drainer:
        report = drainer.drain(timeout=60)  # or drainer.start() to drain in the background
    outbox.failures()                      # every item given up on, with its reason

The contract functions behind outbox items must be idempotent (see ``drainer``). Private data:
``enqueue(..., transient=..., endorsing_orgs=[...], collections={name: members})`` passes the
client's guard (``PrivateDataLeakError`` otherwise, nothing stored); transient values are erased
from the file once the item is committed or given up (see ``store``, docs/private-data.md).
"""

from gridledger.outbox.drainer import OUTBOX_RETRY_POLICY, DrainReport, OutboxDrainer
from gridledger.outbox.items import (
    AttemptOutcome,
    GiveUp,
    ItemState,
    OutboxItem,
    TransactionRequest,
)
from gridledger.outbox.lookup import find_commit
from gridledger.outbox.paths import data_dir, default_outbox_path
from gridledger.outbox.store import Outbox, OutboxConflict

__all__ = [
    "OUTBOX_RETRY_POLICY",
    "AttemptOutcome",
    "DrainReport",
    "GiveUp",
    "ItemState",
    "Outbox",
    "OutboxConflict",
    "OutboxDrainer",
    "OutboxItem",
    "TransactionRequest",
    "data_dir",
    "default_outbox_path",
    "find_commit",
]
