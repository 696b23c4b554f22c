"""The devnet's solo orderer: broadcast, block cutting on the asyncio loop, commit in one thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from typing import Any

from fabric_protos.common import common_pb2

from gridledger_network.devnet.channel.channel_config import DevnetChannelConfig
from gridledger_network.devnet.config import BatchConfig
from gridledger_network.devnet.interfaces import OrdererRejected
from gridledger_network.devnet.orderer.block_cutter import BlockCutter
from gridledger_network.devnet.orderer.block_writer import BlockWriter
from gridledger_network.devnet.orderer.broadcast_checks import check_envelope

log = logging.getLogger(__name__)


class SoloOrderer:
    """Implements ``interfaces.Orderer``. ``start(loop)`` before ``broadcast``; ``stop()`` flushes.

    ``broadcast`` must be called on the loop's thread. Cut batches are validated and committed in
    order on one worker thread, so the loop never waits on signature checks or SQLite.
    """

    def __init__(
        self, channel: DevnetChannelConfig, writer: BlockWriter, batch: BatchConfig
    ) -> None:
        self._channel = channel
        self._writer = writer
        self._batch = batch
        self._cutter = BlockCutter(batch)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._last: concurrent.futures.Future[Any] | None = None
        self._stopped = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._stopped = False
        self._executor = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="devnet-commit"
        )

    def broadcast(self, envelope: Any) -> None:
        if self._loop is None and not self._stopped:
            with contextlib.suppress(RuntimeError):  # attach to the caller's loop
                self.start(asyncio.get_running_loop())
        if self._loop is None or self._executor is None:
            raise OrdererRejected(common_pb2.Status.SERVICE_UNAVAILABLE, "orderer is not running")
        data = check_envelope(envelope, self._channel, self._batch.absolute_max_bytes)
        for batch in self._cutter.ordered(data):
            self._submit(batch)
        if self._cutter.pending and self._timer is None:
            self._timer = self._loop.call_later(self._batch.batch_timeout_ms / 1000, self._timeout)
        elif not self._cutter.pending:
            self._cancel_timer()

    def stop(self) -> None:
        """Cut what is pending, wait for every block to be committed, stop the commit thread."""
        self._cancel_timer()
        if self._cutter.pending:
            self._submit(self._cutter.cut())
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._executor = None
        self._loop = None
        self._stopped = True

    async def flush(self) -> None:
        """Cut what is pending now and wait until everything broadcast so far is committed."""
        self._cancel_timer()
        if self._cutter.pending:
            self._submit(self._cutter.cut())
        if self._last is not None:
            await asyncio.wrap_future(self._last)

    def _timeout(self) -> None:
        self._timer = None
        if self._cutter.pending:
            self._submit(self._cutter.cut())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _submit(self, batch: list[bytes]) -> None:
        assert self._executor is not None
        self._last = self._executor.submit(self._write, batch)

    def _write(self, batch: list[bytes]) -> None:
        try:
            self._writer.write(batch)
        except Exception:
            log.exception("failed to write a block of %d transactions", len(batch))
