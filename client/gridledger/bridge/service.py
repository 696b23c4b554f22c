"""``MqttBridge``: subscribe with QoS 1 on a persistent session, batch, journal and enqueue,
acknowledge, drain the outbox to the ledger, publish dead letters, serve metrics.

Threads: paho's network loop puts each message on a queue; one batching thread routes it to its
meter's lane (``gridledger.bridge.lanes``), and when a lane's batch is due classifies it (JSON,
transport form, topic, the meter's registered key, the signature), journals and enqueues it in
the lane's outbox (``BridgeJournal.record``) and only then acknowledges (``client.ack``); one
outbox drainer per lane submits the lane's batches as ``SubmitReadings`` transactions, one in
flight per lane; a small HTTP server answers ``/metrics``.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric import ec
from gridledger.bridge.batching import Batcher, Incoming
from gridledger.bridge.connection import BrokerUnreachable, check_broker, tls_context
from gridledger.bridge.journal import BridgeJournal, Classified, DeadLetter
from gridledger.bridge.lanes import DEFAULT_LANES, Lanes
from gridledger.energy import EnergyClient, NotFound
from gridledger.outbox import Outbox, OutboxDrainer
from gridledger.profile import ConnectionProfile
from gridledger_domain import SignedReading
from gridledger_domain.errors import GridLedgerError
from gridledger_domain.keys import load_meter_public_key
from gridledger_domain.signing import verify_reading
from paho.mqtt.enums import CallbackAPIVersion

logger = logging.getLogger("gridledger.bridge")

REFRESH_SECONDS = 0.2  # how often the outbox's commits are looked up (not per message)
KeyLookup = Callable[[str], "ec.EllipticCurvePublicKey | None"]


@dataclass(frozen=True)
class BridgeOptions:
    host: str
    port: int
    topic: str = "meters/+/readings"
    dead_letter_topic: str = "gridledger/dead-letters"
    client_id: str = "gridledger-bridge"
    tls_ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    username: str | None = None
    password: str | None = None
    batch_size: int = 1000
    max_wait: float = 1.0
    metrics_port: int | None = None
    # meters partitioned into lanes, one transaction in flight per lane: concurrent transactions
    # never share a meter (no MVCC conflicts), one meter's batches stay in order
    lanes: int = DEFAULT_LANES


def classify(message: Incoming, public_key: KeyLookup) -> Classified:
    """The message's verified reading, or the reason it is a dead letter."""
    try:
        document = json.loads(message.payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Classified(message, reason=f"malformed: not JSON ({error})")
    try:
        signed = SignedReading.from_json_dict(document)
    except (GridLedgerError, ValueError, TypeError) as error:
        return Classified(message, reason=f"malformed: {error}")
    if signed.signer:
        return Classified(
            message,
            reason=f"malformed: signed by data custodian {signed.signer}: the bridge takes "
            "readings signed by their meters (custodians submit through import-greenbutton or "
            "submit_readings)",
        )
    meter_id = signed.reading.meter_id
    levels = message.topic.split("/")
    if len(levels) == 3 and levels[0] == "meters" and levels[1] != meter_id:
        return Classified(
            message, reason=f"malformed: topic names meter {levels[1]}, the reading {meter_id}"
        )
    key = public_key(meter_id)
    if key is None:
        return Classified(message, reason=f"unknown meter: {meter_id} is not registered")
    try:
        verify_reading(signed.reading, signed.signature, key)
    except GridLedgerError as error:
        return Classified(message, reason=f"forged: {error}")
    return Classified(message, reading=signed)


class LedgerKeys:
    """Meters' registered public keys, read from the ledger once each (unknown: asked again
    after ``retry_unknown`` seconds)."""

    def __init__(self, client: EnergyClient, retry_unknown: float = 10.0) -> None:
        self._client = client
        self._known: dict[str, ec.EllipticCurvePublicKey] = {}
        self._unknown: dict[str, float] = {}
        self._retry_unknown = retry_unknown

    def __call__(self, meter_id: str) -> ec.EllipticCurvePublicKey | None:
        key = self._known.get(meter_id)
        if key is not None:
            return key
        if time.monotonic() - self._unknown.get(meter_id, -1e9) < self._retry_unknown:
            return None
        try:
            meter = self._client.meter(meter_id)
        except NotFound:
            self._unknown[meter_id] = time.monotonic()
            return None
        if not meter.active:
            self._unknown[meter_id] = time.monotonic()
            return None
        key = load_meter_public_key(meter.public_key_pem)
        self._known[meter_id] = key
        return key


class MqttBridge:
    """Runs until ``stop``; every reading acknowledged to the broker is in the outbox first."""

    def __init__(
        self,
        options: BridgeOptions,
        *,
        state_dir: Path,
        profile: ConnectionProfile,
        org: str,
        user: str,
        chaincode: str = "gridledger",
    ) -> None:
        self.options = options
        self._tls = tls_context(options.tls_ca, options.cert, options.key)
        self.outboxes = [Outbox.open(outbox_path(state_dir, n)) for n in range(options.lanes)]
        try:
            self.journal = BridgeJournal(
                state_dir / "bridge.sqlite",
                self.outboxes,
                channel=profile.channel,
                chaincode=chaincode,
            )
        except BaseException:
            for outbox in self.outboxes:
                outbox.close()
            raise
        self._energy = EnergyClient.connect(profile, org, user)
        self._keys = LedgerKeys(self._energy)
        self.drainers = [
            OutboxDrainer(outbox, lambda: profile.connect(org, user=user), workers=1)
            for outbox in self.outboxes
        ]
        self._queue: queue.Queue[Incoming] = queue.Queue()
        self._stop = threading.Event()
        self.received = 0
        self.subscribed = False
        self.duplicates = 0
        self.lanes = Lanes(
            [
                Batcher(
                    partial(self._persist, lane),
                    self._ack,
                    size=options.batch_size,
                    max_wait=options.max_wait,
                )
                for lane in range(options.lanes)
            ]
        )
        self.client = self._mqtt_client()
        self._metrics: ThreadingHTTPServer | None = None
        self.metrics_port: int | None = None

    # -- MQTT --------------------------------------------------------------------------------
    def _mqtt_client(self) -> mqtt.Client:
        o = self.options
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=o.client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if self._tls is not None:
            client.tls_set_context(self._tls)
        if o.username is not None:
            client.username_pw_set(o.username, o.password)
        client.reconnect_delay_set(min_delay=1, max_delay=5)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            logger.warning("broker %s:%s refused the connection: %s", *self._where(), reason)
            return
        logger.info("connected to %s:%s; subscribing to %s", *self._where(), self.options.topic)
        client.subscribe(self.options.topic, qos=1)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _m: int, codes: Any, _p: Any) -> None:
        self.subscribed = all(not code.is_failure for code in codes)
        if not self.subscribed:
            logger.warning("the broker refused the subscription to %s", self.options.topic)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.subscribed = False
        if not self._stop.is_set():
            logger.warning("lost the broker %s:%s (%s); reconnecting", *self._where(), reason)

    def _where(self) -> tuple[str, int]:
        return self.options.host, self.options.port

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        self._queue.put(
            Incoming(message.topic, bytes(message.payload), message.mid, message.qos, time.time())
        )

    def _ack(self, message: Incoming) -> None:
        if message.qos > 0:
            self.client.ack(message.mid, message.qos)

    # -- batches -----------------------------------------------------------------------------
    def _persist(self, lane: int, batch: Sequence[Incoming]) -> None:
        classified = [classify(message, self._keys) for message in batch]
        recorded = self.journal.record(classified, lane=lane)
        self.duplicates += recorded.duplicates
        if recorded.batch_key is not None:
            self.drainers[lane].wake()
        logger.info(
            "lane %d: batch of %d: %d new, %d redelivered, %d dead-lettered",
            lane,
            len(batch),
            recorded.new,
            recorded.duplicates,
            len(recorded.dead_letters),
        )
        for dead in recorded.dead_letters:
            logger.warning("dead letter from %s: %s", dead.topic, dead.reason)
        self._publish_dead_letters()

    def _publish_dead_letters(self) -> None:
        for dead in self.journal.unpublished_dead_letters():
            info = self.client.publish(
                self.options.dead_letter_topic, dead_letter_json(dead), qos=1
            )
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                self.journal.mark_published(dead.id)

    def _batch_loop(self) -> None:
        refreshed = 0.0
        while not self._stop.is_set():
            wait = self.lanes.due_in()
            try:
                message = self._queue.get(timeout=0.2 if wait is None else min(wait, 0.2))
            except queue.Empty:
                pass
            else:
                self.received += 1
                self.lanes.add(message)
            self.lanes.poll()
            if time.monotonic() - refreshed < REFRESH_SECONDS:
                continue
            refreshed = time.monotonic()
            for key, state, reason in self.journal.refresh():
                if state.value == "failed":
                    logger.warning("batch %s given up: %s", key, reason)

    # -- metrics -----------------------------------------------------------------------------
    def metrics_text(self) -> str:
        totals = self.journal.totals()
        lag = 0.0 if totals.oldest_pending_at is None else time.time() - totals.oldest_pending_at
        lines: list[str] = []
        for name, kind, value, what in (
            ("received", "counter", self.received, "MQTT messages received since start"),
            ("queued", "counter", totals.queued, "readings written to the outbox"),
            ("committed", "counter", totals.committed, "readings committed on the ledger"),
            ("failed", "counter", totals.failed, "readings in batches the outbox gave up"),
            ("dead_lettered", "counter", totals.dead_lettered, "messages dead-lettered"),
            ("redelivered", "counter", self.duplicates, "redelivered readings written nowhere"),
            ("subscribed", "gauge", int(self.subscribed), "1 while subscribed to the broker"),
            ("pending", "gauge", totals.pending, "readings in the outbox, not yet committed"),
            ("lag_seconds", "gauge", round(lag, 3), "age of the oldest uncommitted reading"),
        ):
            metric = f"gridledger_bridge_{name}" + ("_total" if kind == "counter" else "")
            lines += [f"# HELP {metric} {what}", f"# TYPE {metric} {kind}", f"{metric} {value}"]
        return "\n".join(lines) + "\n"

    def _serve_metrics(self, port: int) -> None:
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = bridge.metrics_text().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("metrics: " + format, *args)

        self._metrics = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.metrics_port = int(self._metrics.server_address[1])
        threading.Thread(target=self._metrics.serve_forever, daemon=True).start()

    # -- running -----------------------------------------------------------------------------
    def check_broker(self) -> None:
        """One connection to the broker first: ``BrokerRefused`` (one line naming the broker
        and the TLS or MQTT failure) when it refuses us; unreachable, paho keeps trying."""
        o = self.options
        try:
            check_broker(
                o.host, o.port, self._tls, cert=o.cert, username=o.username, password=o.password
            )
        except BrokerUnreachable as error:
            logger.warning("%s; trying again", error)

    def start(self) -> None:
        """Check the broker (``BrokerRefused``: nothing started), then run."""
        self.check_broker()
        recovered = self.journal.recover()
        if recovered:
            logger.info("%d batch(es) journaled before a stop enqueued now", recovered)
        if self.options.metrics_port is not None:
            self._serve_metrics(self.options.metrics_port)
        for drainer in self.drainers:
            drainer.start()
        self.client.connect_async(self.options.host, self.options.port, keepalive=30)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._batch_loop, name="bridge-batches")
        self._thread.start()

    def request_stop(self) -> None:
        """Make ``wait`` return (safe from a signal handler)."""
        self._stop.set()

    def wait(self) -> None:
        while not self._stop.wait(1.0):
            pass

    def stop(self) -> None:
        self._stop.set()
        if hasattr(self, "_thread"):
            self._thread.join()
        self.lanes.flush()
        self.client.disconnect()
        self.client.loop_stop()
        for drainer in self.drainers:
            drainer.stop()
        for drainer in self.drainers:
            drainer.close()
        if self._metrics is not None:
            self._metrics.shutdown()
        self.journal.close()
        for outbox in self.outboxes:
            outbox.close()
        self._energy.close()


def outbox_path(state_dir: Path, lane: int) -> Path:
    """Lane 0's outbox is ``outbox.sqlite`` (as before lanes), lane n's ``outbox-lane-n.sqlite``."""
    return state_dir / ("outbox.sqlite" if lane == 0 else f"outbox-lane-{lane}.sqlite")


def dead_letter_json(dead: DeadLetter) -> bytes:
    try:
        payload: dict[str, str] = {"payload": dead.payload.decode("utf-8")}
    except UnicodeDecodeError:
        payload = {"payload_base64": base64.b64encode(dead.payload).decode("ascii")}
    return json.dumps(
        {"reason": dead.reason, "topic": dead.topic, "at": round(dead.at, 3), **payload}
    ).encode()
