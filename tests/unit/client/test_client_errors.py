"""Every error the client and the shared vocabulary raise derives from GridLedgerError, so a
caller can catch ours and nothing else."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import gridledger
import gridledger_domain
import pytest
from gridledger.errors import GridLedgerError


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for package in (gridledger, gridledger_domain):
        prefix = package.__name__ + "."
        for module_info in pkgutil.walk_packages(package.__path__, prefix):
            module = importlib.import_module(module_info.name)
            for _, value in inspect.getmembers(module, inspect.isclass):
                defined_here = value.__module__ == module.__name__
                if defined_here and issubclass(value, BaseException):
                    found.append(value)
    return found


EXCEPTIONS = _exception_classes()


def test_the_scan_finds_the_client_errors() -> None:
    names = {error.__name__ for error in EXCEPTIONS}
    assert {
        "GatewayError",
        "CommitError",
        "ProfileError",
        "MspError",
        "InvalidRequest",
        "MeterDataError",
    } <= names


@pytest.mark.parametrize("error", EXCEPTIONS, ids=lambda error: error.__qualname__)
def test_every_public_error_is_a_gridledger_error(error: type[BaseException]) -> None:
    if error.__name__.startswith("_"):
        pytest.skip("private: never leaves the module that raises it")
    assert issubclass(error, GridLedgerError), f"{error.__module__}.{error.__qualname__}"
