"""The MQTT bridge: signed meter readings from a broker into the durable outbox, then the ledger.

    from gridledger.bridge import BridgeOptions, MqttBridge

See docs/mqtt.md for the message format, the guarantees and the metrics.
"""

from gridledger.bridge.batching import Batcher, Incoming
from gridledger.bridge.journal import BridgeJournal, Classified, reading_key
from gridledger.bridge.service import BridgeOptions, MqttBridge, classify

__all__ = [
    "Batcher",
    "BridgeJournal",
    "BridgeOptions",
    "Classified",
    "Incoming",
    "MqttBridge",
    "classify",
    "reading_key",
]
