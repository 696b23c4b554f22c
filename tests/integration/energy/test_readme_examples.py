"""The README's Python examples run as written, on a devnet of their own.

A new user copies them first; they must work. The energy example is given a registered
participant (``owner_id``) and a day of register values (``registers``), as its text says.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from gridledger.energy import EnergyClient, Role
from harness.devnet import TestNetwork, running_test_network

from .conftest import tariff_v1

README = Path(__file__).resolve().parents[3] / "README.md"


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def own_devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestNetwork]:
    with running_test_network(
        tmp_path_factory.mktemp("readme") / ".devnet", with_node_chaincode=False
    ) as network:
        yield network


def run_example(code: str, network: TestNetwork, namespace: dict[str, object]) -> None:
    """Run ``code`` from the folder holding the devnet's home, as ``.devnet``."""
    cwd = Path.cwd()
    try:
        os.chdir(network.home.parent)
        exec(compile(code, str(README), "exec"), namespace)
    finally:
        os.chdir(cwd)


def test_the_readme_has_its_examples() -> None:
    examples = python_examples()
    assert len(examples) == 2
    assert "EnergyClient.connect" in examples[0] and "profile.connect" in examples[1]


def test_the_energy_example_settles_and_verifies_a_bill(own_devnet: TestNetwork) -> None:
    with (
        EnergyClient.connect(own_devnet.profile, "GridOperatorMSP", "utility") as utility,
        EnergyClient.connect(own_devnet.profile, "ProsumerMSP", "bob") as bob,
    ):
        utility.set_tariff(tariff_v1())
        owner = utility.register_participant(
            bob.whoami(), Role.CONSUMER, zone="north", display_name="Bob"
        )
    registers = [(100 * i, 0) for i in range(97)]  # 0.1 kWh per 15 minutes, all day
    namespace: dict[str, object] = {"owner_id": owner.participant_id, "registers": registers}
    run_example(python_examples()[0], own_devnet, namespace)
    assert len(namespace["stored"]) == 97  # type: ignore[arg-type]
    assert namespace["bill"].complete  # type: ignore[attr-defined]


def test_the_gateway_example_asks_who_the_caller_is(
    own_devnet: TestNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    run_example(python_examples()[1], own_devnet, {})
    assert "GridOperatorMSP" in capsys.readouterr().out
