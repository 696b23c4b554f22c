"""Fabric signature-policy strings -> ``common.SignaturePolicyEnvelope``.

Grammar (as Fabric's policydsl accepts): ``AND(...)``, ``OR(...)``, ``OutOf(n, ...)`` (any case of
And/and/AND, Or/or/OR, OutOf/outof/OUTOF), whose arguments are nested gates or quoted principals
``'<MSP id>.<role>'`` with role member, admin, client, peer or orderer.

Principal indices follow Fabric's evaluation order: a gate's nested gates are numbered first (left
to right, recursively), then its own quoted principals, left to right; principals are not merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fabric_protos.common import policies_pb2
from fabric_protos.msp import msp_principal_pb2

ROLE_TYPES = {
    "member": msp_principal_pb2.MSPRole.MEMBER,
    "admin": msp_principal_pb2.MSPRole.ADMIN,
    "client": msp_principal_pb2.MSPRole.CLIENT,
    "peer": msp_principal_pb2.MSPRole.PEER,
    "orderer": msp_principal_pb2.MSPRole.ORDERER,
}
PRINCIPAL = re.compile(r"^([A-Za-z0-9.\-]+)\.(admin|member|client|peer|orderer)$")
GATES = {"and": "and", "or": "or", "outof": "outof"}
TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>\d+)|'(?P<sq>[^']*)'"
    r"|\"(?P<dq>[^\"]*)\"|(?P<punct>[(),]))"
)


class PolicyParseError(ValueError):
    pass


@dataclass
class _Gate:
    n: int
    args: list[_Gate | str]


def parse_policy(text: str) -> Any:
    """Parse ``text`` into a ``common.SignaturePolicyEnvelope`` (version 0), or PolicyParseError."""
    tokens = _tokenize(text)
    gate, pos = _parse_gate(tokens, 0, text)
    if pos != len(tokens):
        raise PolicyParseError(f"unexpected {tokens[pos][1]!r} after the policy in {text!r}")
    principals: list[Any] = []
    rule = _compile(gate, principals)
    return policies_pb2.SignaturePolicyEnvelope(version=0, rule=rule, identities=principals)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if m is None:
            raise PolicyParseError(f"unexpected character {text[pos:].strip()[:1]!r} in {text!r}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        tokens.append(("str" if kind in ("sq", "dq") else kind, value))
        pos = m.end()
    if not tokens:
        raise PolicyParseError("empty policy")
    return tokens


def _expect(tokens: list[tuple[str, str]], pos: int, value: str, text: str) -> int:
    if pos >= len(tokens) or tokens[pos] != ("punct", value):
        found = tokens[pos][1] if pos < len(tokens) else "end of policy"
        raise PolicyParseError(f"expected {value!r}, found {found!r} in {text!r}")
    return pos + 1


def _parse_gate(tokens: list[tuple[str, str]], pos: int, text: str) -> tuple[_Gate, int]:
    if pos >= len(tokens) or tokens[pos][0] != "name":
        found = tokens[pos][1] if pos < len(tokens) else "end of policy"
        raise PolicyParseError(f"expected AND, OR or OutOf, found {found!r} in {text!r}")
    name = tokens[pos][1]
    if name not in ("AND", "And", "and", "OR", "Or", "or", "OutOf", "outof", "OUTOF"):
        raise PolicyParseError(f"unrecognized token {name!r} in policy string")
    kind = name.lower()
    pos = _expect(tokens, pos + 1, "(", text)
    n = -1
    if kind == "outof":
        if pos >= len(tokens) or tokens[pos][0] != "num":
            raise PolicyParseError(f"OutOf needs a number as first argument in {text!r}")
        n = int(tokens[pos][1])
        pos = _expect(tokens, pos + 1, ",", text)
    args: list[_Gate | str] = []
    while True:
        if pos < len(tokens) and tokens[pos][0] == "str":
            principal = tokens[pos][1]
            if not PRINCIPAL.match(principal):
                raise PolicyParseError(f"error parsing principal {principal!r}")
            args.append(principal)
            pos += 1
        else:
            sub, pos = _parse_gate(tokens, pos, text)
            args.append(sub)
        if pos < len(tokens) and tokens[pos] == ("punct", ","):
            pos += 1
            continue
        pos = _expect(tokens, pos, ")", text)
        break
    if kind == "and":
        n = len(args)
    elif kind == "or":
        n = 1
    if kind == "outof" and len(args) < 1:
        raise PolicyParseError(f"OutOf needs at least one principal or policy in {text!r}")
    if n < 0 or n > len(args) + 1:
        raise PolicyParseError(f"invalid t-out-of-n predicate, t {n}, n {len(args)}")
    return _Gate(n, args), pos


def _compile(gate: _Gate, principals: list[Any]) -> Any:
    compiled: dict[int, Any] = {}
    for i, arg in enumerate(gate.args):  # nested gates first, as Fabric's evaluator numbers them
        if isinstance(arg, _Gate):
            compiled[i] = _compile(arg, principals)
    for i, arg in enumerate(gate.args):
        if isinstance(arg, str):
            m = PRINCIPAL.match(arg)
            assert m is not None
            role = msp_principal_pb2.MSPRole(msp_identifier=m.group(1), role=ROLE_TYPES[m.group(2)])
            principals.append(
                msp_principal_pb2.MSPPrincipal(
                    principal_classification=msp_principal_pb2.MSPPrincipal.ROLE,
                    principal=role.SerializeToString(),
                )
            )
            compiled[i] = policies_pb2.SignaturePolicy(signed_by=len(principals) - 1)
    rules = [compiled[i] for i in range(len(gate.args))]
    return policies_pb2.SignaturePolicy(
        n_out_of=policies_pb2.SignaturePolicy.NOutOf(n=gate.n, rules=rules)
    )
