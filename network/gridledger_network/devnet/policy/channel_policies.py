"""A channel's policies by path (``/Channel/Writers``...), evaluated as Fabric does.

The channel's ``common.ConfigGroup`` tree holds SIGNATURE policies (at the orgs) and
IMPLICIT_META policies (above them): an implicit-meta policy named ``Writers`` with rule ``ANY``
is satisfied when the ``Writers`` policy of at least one sub-group is. Failures carry Fabric's
messages, e.g. "implicit policy evaluation failed - 0 sub-policies were satisfied, but this
policy requires 1 of the 'Writers' sub-policies to be satisfied".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabric_protos.common import policies_pb2

from gridledger_network.devnet.msp.identity import Identity
from gridledger_network.devnet.policy.evaluator import PolicyError, evaluate_envelope

ROOT_GROUP = "Channel"
SIGNATURE_FAILED = "signature set did not satisfy policy"
Meta = policies_pb2.ImplicitMetaPolicy


READER_ROLES = frozenset({"admin", "peer", "client"})


def application_reader(creator: Any, org_msp_ids: Sequence[str]) -> bool:
    """``/Channel/Application/Readers``: an admin, peer or client of an application org (an
    identity without roles, as in tests, passes)."""
    roles = getattr(creator, "roles", None)
    if roles is None:
        return True
    return bool(creator.msp_id in org_msp_ids and READER_ROLES & set(roles))


def readers_denied(channel: str) -> str:
    """Fabric's policy checker refusing ``/Channel/Application/Readers`` on ``channel``."""
    return (
        f"Failed evaluating policy on signed data during check policy on channel [{channel}] "
        "with policy [/Channel/Application/Readers]: [implicit policy evaluation failed - 0 "
        "sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies "
        "to be satisfied]"
    )


class PolicyDenied(Exception):
    """The signers do not satisfy the policy; the message is Fabric's."""


class ChannelPolicies:
    """Evaluate the policies of one channel configuration (its ``channel_group``)."""

    def __init__(self, channel_group: Any) -> None:
        self._root = channel_group
        self._parsed: dict[tuple[Any, bytes], Any] = {}  # parsed policies (the config is fixed)

    def evaluate(self, path: str, signers: Sequence[Identity]) -> None:
        """Raise ``PolicyDenied`` unless ``signers`` (verified, distinct) satisfy ``path``."""
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[0] != ROOT_GROUP:
            raise PolicyDenied(f"could not find policy {path}")
        group = self._root
        for name in parts[1:-1]:
            if name not in group.groups:
                raise PolicyDenied(f"could not find policy {path}")
            group = group.groups[name]
        if parts[-1] not in group.policies:
            raise PolicyDenied(f"could not find policy {path}")
        self._evaluate(group, group.policies[parts[-1]].policy, signers)

    def _evaluate(self, group: Any, policy: Any, signers: Sequence[Identity]) -> None:
        if policy.type == policies_pb2.Policy.SIGNATURE:
            envelope = self._parse(policy.value, policies_pb2.SignaturePolicyEnvelope)
            try:
                satisfied = evaluate_envelope(envelope, signers)
            except PolicyError as err:
                raise PolicyDenied(str(err)) from err
            if not satisfied:
                raise PolicyDenied(SIGNATURE_FAILED)
            return
        if policy.type == policies_pb2.Policy.IMPLICIT_META:
            self._evaluate_implicit_meta(group, self._parse(policy.value, Meta), signers)
            return
        raise PolicyDenied(f"unsupported policy type {policy.type}")

    def _evaluate_implicit_meta(self, group: Any, meta: Any, signers: Sequence[Identity]) -> None:
        sub_groups = [group.groups[name] for name in sorted(group.groups)]
        threshold = _threshold(meta.rule, len(sub_groups))
        remaining = threshold
        for sub_group in sub_groups:
            if remaining == 0:
                break
            if meta.sub_policy not in sub_group.policies:
                continue  # Fabric counts a missing sub-policy as one that rejects
            try:
                self._evaluate(sub_group, sub_group.policies[meta.sub_policy].policy, signers)
            except PolicyDenied:
                continue
            remaining -= 1
        if remaining > 0:
            raise PolicyDenied(
                f"implicit policy evaluation failed - {threshold - remaining} sub-policies were "
                f"satisfied, but this policy requires {threshold} of the '{meta.sub_policy}' "
                "sub-policies to be satisfied"
            )

    def _parse(self, value: bytes, message_type: Any) -> Any:
        key = (message_type, value)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = message_type.FromString(value)
        return parsed


def _threshold(rule: int, count: int) -> int:
    if count == 0:
        return 0
    if rule == Meta.ALL:
        return count
    if rule == Meta.MAJORITY:
        return count // 2 + 1
    return 1  # ANY
