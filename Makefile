# Heard: `make run` starts the local service, `make test` runs the whole suite.
# Both set up what they need on a fresh machine (python3, node and npm), and skip what is current.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 3000
CDK := node_modules/.bin/cdk
TEMPLATE := cdk.out/Heard.template.json

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_EC2_METADATA_DISABLED := true
export TZ := UTC

.PHONY: install run test lint typecheck synth cfn-lint pytest bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

run: install
	$(BIN)/python -m infra.local --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# Synthesizes offline with the local CLI; cdk-nag runs as a validation plugin and fails the synth.
synth: install
	$(CDK) synth --no-notices --quiet

cfn-lint: synth
	$(BIN)/cfn-lint --ignore-checks W3005 -- $(TEMPLATE)

pytest: install
	$(BIN)/pytest -n 2

test: lint typecheck cfn-lint pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf cdk.out .mypy_cache .ruff_cache .pytest_cache
