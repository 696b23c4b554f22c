# GridLedger — one virtual environment, one Node package tree, two commands: `make demo`, `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
NODE_DIR := tests/conformance/node
STAMP  := $(VENV)/.installed

.PHONY: all install demo test lint typecheck unit integration conformance devnet-up devnet-down clean

all: test

$(STAMP): requirements.txt meterdata/pyproject.toml client/pyproject.toml chaincode/pyproject.toml network/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e meterdata -e client -e chaincode -e network
	touch $(STAMP)

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error

install: $(STAMP) $(NODE_DIR)/node_modules/.package-lock.json

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy meterdata/gridledger_meterdata client/gridledger chaincode/gridledger_chaincode network/gridledger_network

test: install lint typecheck
	$(VENV)/bin/pytest -q

demo: install
	$(PY) -m gridledger_network.demo

devnet-up: $(STAMP)
	$(VENV)/bin/gridledger network up

devnet-down: $(STAMP)
	$(VENV)/bin/gridledger network down

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .devnet
