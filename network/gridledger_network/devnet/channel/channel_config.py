"""What the channel knows: its orgs' MSPs and chaincode definitions (interfaces.ChannelConfig)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridledger_network.devnet.channel.genesis import channel_config_group
from gridledger_network.devnet.config import (
    ORDERER_MSP_ID,
    ChaincodeConfig,
    CollectionConfig,
    ConfigError,
    DevnetConfig,
)
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.devnet.msp import Identity, MSPManager, OrgMSP, load_org_msp
from gridledger_network.devnet.policy import ChannelPolicies, PolicyParseError, parse_policy


class DevnetChannelConfig:
    """Implements ``interfaces.ChannelConfig`` for the devnet's single channel."""

    def __init__(self, config: DevnetConfig, msps: Sequence[OrgMSP]) -> None:
        self.config = config
        self.channel: str = config.channel
        self.org_msp_ids: Sequence[str] = list(config.org_msp_ids)
        self.msp_manager = MSPManager(msps)
        # the channel's policies (/Channel/Writers...), as block 0's configuration defines them
        self.policies = ChannelPolicies(channel_config_group(config, msps))
        self._policies: dict[str, Any] = {}
        self._collection_policies: dict[str, dict[str, Any]] = {}
        for chaincode in config.chaincodes:
            try:
                self._policies[chaincode.name] = parse_policy(chaincode.policy)
                self._collection_policies[chaincode.name] = {
                    c.name: parse_policy(c.endorsement_policy)
                    for c in chaincode.collections
                    if c.endorsement_policy
                }
            except PolicyParseError as exc:
                raise ConfigError(f"chaincode {chaincode.name!r}: bad policy: {exc}") from exc

    @classmethod
    def from_crypto(cls, config: DevnetConfig, layout: CryptoLayout) -> DevnetChannelConfig:
        msp_ids = [*config.org_msp_ids, ORDERER_MSP_ID]
        return cls(config, [load_org_msp(layout.org_msp_dir(m), m) for m in msp_ids])

    def deserialize_and_verify_identity(self, serialized_identity: bytes) -> Identity:
        """Raises ``UnknownIdentity`` with the reason (unknown MSP, wrong CA, expired, NodeOU)."""
        return self.msp_manager.deserialize_identity(serialized_identity)

    def chaincode(self, name: str) -> ChaincodeConfig | None:
        return self.config.chaincode(name)

    def endorsement_policy(self, chaincode: str) -> Any | None:
        """The chaincode's ``common.SignaturePolicyEnvelope``, None for an undefined chaincode."""
        return self._policies.get(chaincode)

    def collection_endorsement_policies(self, chaincode: str) -> dict[str, Any]:
        """Collection name -> its own endorsement policy (``SignaturePolicyEnvelope``), for the
        collections of ``chaincode`` that have one: it replaces the chaincode's for their writes."""
        return self._collection_policies.get(chaincode, {})

    def collection(self, chaincode: str, collection: str) -> CollectionConfig | None:
        cc = self.config.chaincode(chaincode)
        return cc.collection(collection) if cc else None
