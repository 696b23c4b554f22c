"""The devnet's memory of verified signatures never accepts what a real verification would not."""

from __future__ import annotations

from gridledger_network.devnet.channel import DevnetChannelConfig
from gridledger_network.devnet.crypto import CryptoLayout
from gridledger_network.devnet.msp import LocalSigner
from gridledger_network.devnet.msp.signature import to_high_s
from gridledger_network.devnet.msp.verified import VerifiedSignatures, memo_key

OPERATOR = "GridOperatorMSP"
PROSUMER = "ProsumerMSP"


def _signer(layout: CryptoLayout, msp_id: str, user: str) -> LocalSigner:
    return LocalSigner.from_msp_dir(layout.user_msp_dir(msp_id, user), msp_id)


def test_a_remembered_signature_is_valid_only_for_its_signer_and_message(
    layout: CryptoLayout, channel_config: DevnetChannelConfig
) -> None:
    operator = _signer(layout, OPERATOR, "User1")
    prosumer = _signer(layout, PROSUMER, "User1")
    signature = operator.sign(b"envelope payload")  # remembered as valid at signing
    own = channel_config.deserialize_and_verify_identity(operator.serialized_identity)
    other = channel_config.deserialize_and_verify_identity(prosumer.serialized_identity)
    assert own.verify(b"envelope payload", signature)
    assert own.verify(b"envelope payload", signature)  # again, from memory
    assert not other.verify(b"envelope payload", signature)
    assert not own.verify(b"envelope payload!", signature)
    assert not own.verify(b"envelope payload", to_high_s(signature))


def test_memory_is_bounded_and_keeps_the_newest() -> None:
    memory = VerifiedSignatures(limit=8)
    keys = [memo_key(b"cert", f"message {i}".encode(), b"sig") for i in range(20)]
    for key in keys:
        memory.add(key)
    assert keys[-1] in memory and keys[-4] in memory
    assert keys[0] not in memory
    assert sum(key in memory for key in keys) <= 8
