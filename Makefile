# GridLedger — one virtual environment, one Node package tree, two commands: `make demo`, `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
NODE_DIR := tests/conformance/node
STAMP  := $(VENV)/.installed
# The synchronous client modules are generated from their asyncio source (client/unasync.py),
# never committed: rewritten whenever a source changes; `make lint` checks they are current.
ASYNC_SOURCES := $(shell find client/gridledger -path '*/_async/*.py')
SYNC   := $(VENV)/.sync-generated

.PHONY: all install browser mosquitto broker broker-down demo test lint typecheck devnet-up devnet-down clean \
	fabric-binaries test-fabric fabric-up fabric-down bench bench-smoke

all: test

$(STAMP): requirements.txt domain/pyproject.toml client/pyproject.toml chaincode/pyproject.toml network/pyproject.toml portal/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e domain -e client -e chaincode -e network -e portal
	touch $(STAMP)

$(SYNC): $(STAMP) $(ASYNC_SOURCES) client/unasync.py
	$(PY) client/unasync.py
	touch $(SYNC)

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error

install: $(SYNC) $(NODE_DIR)/node_modules/.package-lock.json browser mosquitto

# The portal's browser tests drive Debian's chromium through Playwright (nothing downloads a
# browser build, never `playwright install`): installed with apt when missing and we are root;
# otherwise those tests skip and say why.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	  else echo "chromium is missing and installing it needs root: the browser tests will skip"; fi; }

# The MQTT bridge's tests and `make broker` run Debian's Eclipse Mosquitto (never a stand-in).
mosquitto:
	@test -x /usr/sbin/mosquitto || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto; \
	  else echo "mosquitto is missing and installing it needs root: the MQTT bridge tests will skip"; fi; }

# A Mosquitto for `gridledger bridge mqtt` and `gridledger meters simulate`, on a free port (.broker/).
# `make broker CLIENT_CERTS=1`: clients log in with certificates of its clients' CA (docs/mqtt.md).
broker: $(SYNC) mosquitto
	$(PY) -m gridledger_network.mqtt_broker up --home .broker $(if $(CLIENT_CERTS),--client-certs)

broker-down: $(SYNC)
	$(PY) -m gridledger_network.mqtt_broker down --home .broker

lint: $(SYNC)
	$(PY) client/unasync.py --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@! git grep -nE '^(<<<<<<<|>>>>>>>)( |$$)' -- . ':!*.lock' || { echo "merge conflict markers left (above)"; exit 1; }

typecheck: $(SYNC)
	$(VENV)/bin/mypy demo domain/gridledger_domain client/gridledger chaincode/gridledger_chaincode network/gridledger_network portal/gridledger_portal

test: install lint typecheck
	$(VENV)/bin/pytest -q

demo: install
	$(PY) -m demo

# Benchmarks (not part of `make test`; a smoke run of them is). FABRIC=1 adds real Fabric side by side.
bench: install
	$(PY) -m bench $(if $(FABRIC),--fabric) $(BENCH_ARGS)

bench-smoke: install
	$(PY) -m bench --smoke

devnet-up: $(SYNC)
	$(VENV)/bin/gridledger network up

devnet-down: $(SYNC)
	$(VENV)/bin/gridledger network down

# Real Fabric (network/gridledger_network/fabric): binaries from $$FABRIC_BIN, the PATH, or this cache,
# which `make fabric-binaries` fills from Fabric's official release archive (needs internet).
FABRIC_VERSION ?= 3.1.5
FABRIC_OS_ARCH ?= $(shell uname -s | tr A-Z a-z)-$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
FABRIC_CACHE   := .cache/fabric/$(FABRIC_VERSION)
FABRIC_ARCHIVE := hyperledger-fabric-$(FABRIC_OS_ARCH)-$(FABRIC_VERSION).tar.gz
FABRIC_URL     := https://github.com/hyperledger/fabric/releases/download/v$(FABRIC_VERSION)/$(FABRIC_ARCHIVE)

fabric-binaries: $(FABRIC_CACHE)/bin/peer
$(FABRIC_CACHE)/bin/peer:
	mkdir -p $(FABRIC_CACHE)
	curl -fsSL --retry 3 -o $(FABRIC_CACHE)/$(FABRIC_ARCHIVE) $(FABRIC_URL)
	tar -xzf $(FABRIC_CACHE)/$(FABRIC_ARCHIVE) -C $(FABRIC_CACHE) bin config
	rm -f $(FABRIC_CACHE)/$(FABRIC_ARCHIVE)
	touch $@

test-fabric: install
	GRIDLEDGER_BACKEND=fabric $(VENV)/bin/pytest -q tests/integration tests/conformance tests/fabric

fabric-up: $(SYNC)
	$(VENV)/bin/gridledger network fabric up

fabric-down: $(SYNC)
	$(VENV)/bin/gridledger network fabric down

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .devnet .fabric
