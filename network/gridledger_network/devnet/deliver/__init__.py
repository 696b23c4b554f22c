"""``protos.Deliver`` for the devnet's peer endpoints, and shared parsed views of blocks."""

from gridledger_network.devnet.deliver.block_view import BlockView, BlockViewCache
from gridledger_network.devnet.deliver.service import DeliverService

__all__ = ["BlockView", "BlockViewCache", "DeliverService"]
