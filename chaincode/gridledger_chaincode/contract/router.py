"""Routes `contractName:Function` (or a bare `Function` of the default contract) to contract code.

Implements the shim's `Chaincode` interface. Any exception from contract code becomes an error
response (status 500) whose message is the exception's text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

from gridledger_chaincode.contract.arguments import serialize_result, to_json
from gridledger_chaincode.contract.context import Context
from gridledger_chaincode.contract.contract import Contract
from gridledger_chaincode.contract.decorators import query
from gridledger_chaincode.contract.errors import ContractError
from gridledger_chaincode.contract.metadata import chaincode_metadata
from gridledger_chaincode.shim.interface import LedgerStub
from gridledger_chaincode.shim.types import ChaincodeResponse

logger = logging.getLogger(__name__)

SYSTEM_CONTRACT_NAME = "org.hyperledger.fabric"
DEFAULT_INIT_MESSAGE = b"Default initiator successful."


class SystemContract(Contract):
    """`org.hyperledger.fabric`, present in every chaincode: answers `GetMetadata`."""

    name: ClassVar[str] = SYSTEM_CONTRACT_NAME
    metadata_json: str = "{}"

    @query(name="GetMetadata")
    def get_metadata(self, ctx: Context) -> str:
        return self.metadata_json


def _error_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class ContractRouter:
    """A chaincode made of contracts; the first one (or `default`) takes bare function names."""

    def __init__(
        self,
        contracts: Sequence[Contract],
        *,
        default: str | None = None,
        title: str = "",
        version: str = "",
    ) -> None:
        if not contracts:
            raise ValueError("a chaincode needs at least one contract")
        system = SystemContract()
        self._contracts: dict[str, Contract] = {}
        for contract in (*contracts, system):
            if contract.name in self._contracts:
                raise ValueError(f"two contracts are named {contract.name!r}")
            self._contracts[contract.name] = contract
        self.default_name = default or contracts[0].name
        if self.default_name not in self._contracts:
            raise ValueError(f"default contract {self.default_name!r} is not among the contracts")
        self.metadata = chaincode_metadata(
            list(self._contracts.values()), self.default_name, title, version
        )
        system.metadata_json = to_json(self.metadata)

    def init(self, stub: LedgerStub) -> ChaincodeResponse:
        return self.invoke(stub)

    def invoke(self, stub: LedgerStub) -> ChaincodeResponse:
        args = stub.args
        if not args:
            return ChaincodeResponse.success(DEFAULT_INIT_MESSAGE)
        try:
            result = self._dispatch(stub, args)
            return ChaincodeResponse.success(serialize_result(result))
        except Exception as exc:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("[%s] transaction failed: %s", stub.tx_id[:8], exc, exc_info=True)
            return ChaincodeResponse.error(_error_text(exc))

    def _dispatch(self, stub: LedgerStub, args: Sequence[bytes]) -> Any:
        qualified = args[0].decode("utf-8", "replace")
        contract_name, separator, function = qualified.partition(":")
        if not separator:
            contract_name, function = self.default_name, qualified
        elif not contract_name.strip():
            contract_name = self.default_name
        contract = self._contracts.get(contract_name)
        if contract is None:
            raise ContractError(f"Contract not found with name {contract_name}")
        ctx = contract.create_context(stub)
        descriptor = contract.transactions.get(function)
        if descriptor is None:
            return contract.unknown_transaction(ctx, function)
        values = descriptor.parse_arguments(args[1:])
        contract.before_transaction(ctx)
        result = getattr(contract, descriptor.method_name)(ctx, *values)
        contract.after_transaction(ctx, result)
        return result
