"""The MQTT bridge: signed meter readings from a broker into the durable outbox, then the ledger.

    from gridledger.bridge import BridgeOptions, MqttBridge

See docs/mqtt.md for the message format, the guarantees and the metrics.
"""

from gridledger.bridge.batching import Batcher, Incoming
from gridledger.bridge.connection import BrokerRefused, BrokerUnreachable
from gridledger.bridge.journal import BridgeJournal, Classified, LaneCountChanged, reading_key
from gridledger.bridge.lanes import DEFAULT_LANES, Lanes, lane_of
from gridledger.bridge.service import BridgeOptions, MqttBridge, classify

__all__ = [
    "DEFAULT_LANES",
    "Batcher",
    "BridgeJournal",
    "BridgeOptions",
    "BrokerRefused",
    "BrokerUnreachable",
    "Classified",
    "Incoming",
    "LaneCountChanged",
    "Lanes",
    "MqttBridge",
    "classify",
    "lane_of",
    "reading_key",
]
