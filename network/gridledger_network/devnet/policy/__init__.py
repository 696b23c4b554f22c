"""Signature policies: parse Fabric's policy strings, evaluate envelopes against signers."""

from gridledger_network.devnet.policy.channel_policies import ChannelPolicies, PolicyDenied
from gridledger_network.devnet.policy.evaluator import (
    PolicyError,
    evaluate_envelope,
    evaluate_policy_bytes,
    satisfies_principal,
)
from gridledger_network.devnet.policy.parser import PolicyParseError, parse_policy
from gridledger_network.devnet.policy.signed_data import SignedData, verified_signers

__all__ = [
    "ChannelPolicies",
    "PolicyDenied",
    "PolicyError",
    "PolicyParseError",
    "SignedData",
    "evaluate_envelope",
    "evaluate_policy_bytes",
    "parse_policy",
    "satisfies_principal",
    "verified_signers",
]
