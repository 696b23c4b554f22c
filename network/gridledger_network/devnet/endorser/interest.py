"""The chaincode interest of a simulation: which policies its endorsement must satisfy.

Follows Fabric's ``Endorser.buildChaincodeInterest``: the chaincode's policy for every namespace
read or written (unless all written keys carry key-level policies), those key-level policies,
and each private data collection written or read.
"""

from __future__ import annotations

from typing import Any

from fabric_protos.common import policies_pb2
from fabric_protos.peer import proposal_response_pb2

from gridledger_network.devnet.chaincode_support.simulator import VALIDATION_PARAMETER, TxSimulator


def build_interest(simulator: TxSimulator) -> Any:
    written = simulator.written_key_metadata().entries
    required: dict[str, dict[str, bool]] = {}
    key_policies: dict[str, list[Any]] = {}
    for namespace in sorted({ns for ns, _ in written}):
        required[namespace] = {"": False}
    for (namespace, collection), keys in sorted(written.items()):
        for metadata in keys.values():
            policy = metadata.get(VALIDATION_PARAMETER)
            if policy is not None:
                key_policies.setdefault(namespace, []).append(
                    policies_pb2.SignaturePolicyEnvelope.FromString(policy)
                )
            else:
                required[namespace][collection] = True
    for namespace in simulator.namespaces():
        required.setdefault(namespace, {"": True})
    for namespace, collection in sorted(simulator.private_reads):
        required.setdefault(namespace, {})[collection] = True

    interest = proposal_response_pb2.ChaincodeInterest()
    for namespace in sorted(required):
        collections = required[namespace]
        for collection in sorted(collections):
            if collection == "":
                policies = key_policies.get(namespace, [])
                if policies:
                    call = interest.chaincodes.add(name=namespace)
                    call.key_policies.extend(policies)
                    call.disregard_namespace_policy = not collections[""]
                elif collections[""]:
                    interest.chaincodes.add(name=namespace)
            else:
                interest.chaincodes.add(
                    name=namespace,
                    collection_names=[collection],
                    no_private_reads=(namespace, collection) not in simulator.private_reads,
                )
    return interest
