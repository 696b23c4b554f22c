"""Block 0: a CONFIG transaction whose ConfigEnvelope carries every org's MSP configuration."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from fabric_protos.common import common_pb2, configtx_pb2, configuration_pb2, policies_pb2
from fabric_protos.msp import msp_config_pb2
from fabric_protos.orderer import configuration_pb2 as orderer_configuration_pb2
from fabric_protos.peer import configuration_pb2 as peer_configuration_pb2

from gridledger_network.devnet.config import ORDERER_MSP_ID, DevnetConfig
from gridledger_network.devnet.ledger.blocks import new_block
from gridledger_network.devnet.msp import OrgMSP
from gridledger_network.devnet.policy import parse_policy

SLOT = common_pb2.BlockMetadataIndex


def _value(message: Any, mod_policy: str = "Admins") -> Any:
    return configtx_pb2.ConfigValue(value=message.SerializeToString(), mod_policy=mod_policy)


def _policy(kind: int, rule: Any) -> Any:
    policy = policies_pb2.Policy(type=kind, value=rule.SerializeToString())
    return configtx_pb2.ConfigPolicy(policy=policy, mod_policy="Admins")


def _signature_policy(text: str) -> Any:
    return _policy(policies_pb2.Policy.SIGNATURE, parse_policy(text))


def _implicit_meta(sub_policy: str, rule: int) -> Any:
    meta = policies_pb2.ImplicitMetaPolicy(sub_policy=sub_policy, rule=rule)
    return _policy(policies_pb2.Policy.IMPLICIT_META, meta)


def _admins_group(group: Any) -> Any:
    """``group`` modified by its Admins, with the implicit Readers, Writers and Admins policies."""
    group.mod_policy = "Admins"
    any_, majority = policies_pb2.ImplicitMetaPolicy.ANY, policies_pb2.ImplicitMetaPolicy.MAJORITY
    group.policies["Readers"].CopyFrom(_implicit_meta("Readers", any_))
    group.policies["Writers"].CopyFrom(_implicit_meta("Writers", any_))
    group.policies["Admins"].CopyFrom(_implicit_meta("Admins", majority))
    return group


def _capabilities(name: str) -> Any:
    return _value(
        configuration_pb2.Capabilities(capabilities={name: configuration_pb2.Capability()})
    )


def fabric_msp_config(msp: OrgMSP) -> Any:
    """``msp.MSPConfig`` (FABRIC type) with root and TLS root certs and NodeOUs enabled."""
    roots = [c.public_bytes(Encoding.PEM) for c in msp.root_certs]
    tls_roots = [c.public_bytes(Encoding.PEM) for c in msp.tls_root_certs]

    def ou(name: str) -> Any:
        return msp_config_pb2.FabricOUIdentifier(
            certificate=roots[0], organizational_unit_identifier=name
        )

    fabric = msp_config_pb2.FabricMSPConfig(
        name=msp.msp_id,
        root_certs=roots,
        tls_root_certs=tls_roots,
        crypto_config=msp_config_pb2.FabricCryptoConfig(
            signature_hash_family="SHA2", identity_identifier_hash_function="SHA256"
        ),
        fabric_node_ous=msp_config_pb2.FabricNodeOUs(
            enable=True,
            client_ou_identifier=ou("client"),
            peer_ou_identifier=ou("peer"),
            admin_ou_identifier=ou("admin"),
            orderer_ou_identifier=ou("orderer"),
        ),
    )
    return msp_config_pb2.MSPConfig(type=0, config=fabric.SerializeToString())


def _org_group(msp: OrgMSP, member_role: str) -> Any:
    """An org's group with the policies of Fabric's sample configtx.yaml (as ours on Fabric)."""
    group = configtx_pb2.ConfigGroup(mod_policy="Admins")
    group.values["MSP"].CopyFrom(_value(fabric_msp_config(msp)))
    m = msp.msp_id
    if member_role == "orderer":
        readers, writers = f"OR('{m}.member')", f"OR('{m}.member')"
    else:
        readers, writers = (
            f"OR('{m}.admin','{m}.peer','{m}.client')",
            f"OR('{m}.admin','{m}.client')",
        )
    group.policies["Readers"].CopyFrom(_signature_policy(readers))
    group.policies["Writers"].CopyFrom(_signature_policy(writers))
    group.policies["Admins"].CopyFrom(_signature_policy(f"OR('{m}.admin')"))
    group.policies["Endorsement"].CopyFrom(_signature_policy(f"OR('{m}.{member_role}')"))
    return group


def channel_config_group(config: DevnetConfig, msps: Sequence[OrgMSP]) -> Any:
    root = _admins_group(configtx_pb2.ConfigGroup())
    root.values["HashingAlgorithm"].CopyFrom(
        _value(configuration_pb2.HashingAlgorithm(name="SHA256"))
    )
    root.values["BlockDataHashingStructure"].CopyFrom(
        _value(configuration_pb2.BlockDataHashingStructure(width=0xFFFFFFFF))
    )
    root.values["Capabilities"].CopyFrom(_capabilities("V3_0"))
    application = _admins_group(root.groups["Application"])
    application.policies["Endorsement"].CopyFrom(
        _implicit_meta("Endorsement", policies_pb2.ImplicitMetaPolicy.MAJORITY)
    )
    application.values["Capabilities"].CopyFrom(_capabilities("V2_5"))
    orderer = _admins_group(root.groups["Orderer"])
    orderer.policies["BlockValidation"].CopyFrom(
        _implicit_meta("Writers", policies_pb2.ImplicitMetaPolicy.ANY)
    )
    batch = config.batch
    orderer.values["BatchSize"].CopyFrom(
        _value(
            orderer_configuration_pb2.BatchSize(
                max_message_count=batch.max_message_count,
                absolute_max_bytes=batch.absolute_max_bytes,
                preferred_max_bytes=batch.preferred_max_bytes,
            )
        )
    )
    orderer.values["BatchTimeout"].CopyFrom(
        _value(orderer_configuration_pb2.BatchTimeout(timeout=f"{batch.batch_timeout_ms}ms"))
    )
    orderer.values["ConsensusType"].CopyFrom(
        _value(orderer_configuration_pb2.ConsensusType(type="devnet"))
    )
    for msp in msps:
        if msp.msp_id == ORDERER_MSP_ID:
            orderer.groups[msp.msp_id].CopyFrom(_org_group(msp, "orderer"))
        else:
            group = _org_group(msp, "peer")
            group.values["AnchorPeers"].CopyFrom(
                _value(
                    peer_configuration_pb2.AnchorPeers(
                        anchor_peers=[
                            peer_configuration_pb2.AnchorPeer(
                                host="127.0.0.1", port=config.peer(msp.msp_id).port
                            )
                        ]
                    )
                )
            )
            application.groups[msp.msp_id].CopyFrom(group)
    return root


def genesis_block(config: DevnetConfig, msps: Sequence[OrgMSP]) -> Any:
    """The channel's block 0 (TRANSACTIONS_FILTER VALID, LAST_CONFIG 0)."""
    envelope_config = configtx_pb2.ConfigEnvelope(
        config=configtx_pb2.Config(sequence=0, channel_group=channel_config_group(config, msps))
    )
    nonce = os.urandom(24)
    now = time.time_ns()
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.CONFIG,
        version=1,
        channel_id=config.channel,
        tx_id=hashlib.sha256(nonce).hexdigest(),
        epoch=0,
    )
    channel_header.timestamp.seconds = now // 1_000_000_000
    channel_header.timestamp.nanos = now % 1_000_000_000
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=common_pb2.SignatureHeader(nonce=nonce).SerializeToString(),
        ),
        data=envelope_config.SerializeToString(),
    )
    envelope = common_pb2.Envelope(payload=payload.SerializeToString())
    block = new_block(0, b"", [envelope.SerializeToString()])
    last_config = common_pb2.LastConfig(index=0)
    block.metadata.metadata[SLOT.SIGNATURES] = common_pb2.Metadata(
        value=common_pb2.OrdererBlockMetadata(last_config=last_config).SerializeToString()
    ).SerializeToString()
    block.metadata.metadata[SLOT.LAST_CONFIG] = common_pb2.Metadata(
        value=last_config.SerializeToString()
    ).SerializeToString()
    block.metadata.metadata[SLOT.TRANSACTIONS_FILTER] = bytes([0])
    return block
