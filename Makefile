# Heard: `make run` starts the local service, `make test` runs the whole suite.
# Both set up what they need on a fresh machine (python3, node and npm), and skip what is current.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 3000
CDK := node_modules/.bin/cdk
TEMPLATE := cdk.out/Heard.template.json
GOVUK := node_modules/govuk-frontend/dist/govuk
ASSETS := build/assets
SWAGGER := build/swagger

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_EC2_METADATA_DISABLED := true
export TZ := UTC

.PHONY: lock faketime test-dates install lambda-python assets browser run demo test lint typecheck synth cfn-lint checkov pytest bench bank-holidays openapi screenshots clean

LOCK := requirements.lock

# Exactly the lock: every Python dependency (dev included) at one version, each file checked against its
# hash; then the project itself, editable, with nothing more. `pip check` fails when pyproject.toml asks
# for something the lock does not hold (run `make lock`).
$(BIN)/.installed: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

# Refresh the lock deliberately: the newest versions pyproject.toml allows, for every platform, with
# hashes. Review the diff, then run `make test`.
lock: $(BIN)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
	  --upgrade --quiet --output-file $(LOCK)
	$(BIN)/uv pip compile --group pyproject.toml:checkov --universal --python-version 3.11 --generate-hashes \
	  --upgrade --quiet --output-file $(CHECKOV_LOCK)

# Checkov has its own venv and lock: every checkov 3.x pins boto3==1.35.49 (the functions need >=1.40) and
# networkx and packaging below the versions cfn-lint and the main lock hold (pyproject.toml, dependency group
# "checkov"). Installed the same way: exactly its lock, hash-checked.
CHECKOV_VENV := .venv-checkov
CHECKOV_LOCK := requirements-checkov.lock
$(CHECKOV_VENV)/bin/.installed: $(CHECKOV_LOCK)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(CHECKOV_LOCK)
	$(CHECKOV_VENV)/bin/python -m pip check
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

# The Python of the Lambda runtime (RUNTIME in infra/components/functions.py): the bundle's bytecode is
# compiled by it, and tests/infra/test_bundle.py runs the bundle on it. Found in pyenv's or uv's Pythons or
# on PATH, or named by HEARD_LAMBDA_PYTHON; when there is none, uv installs it.
LAMBDA_PYTHON := $(BIN)/python -c "import sys; from infra.components import functions as f; \
  print(f.RUNTIME_VERSION); sys.exit(f.local_python() is None)"
lambda-python: $(BIN)/.installed
	@version=$$($(LAMBDA_PYTHON)) || { test -n "$$version" && $(BIN)/uv python install "$$version"; }

# GOV.UK Frontend's CSS, JavaScript, fonts and images, with Heard's own few files: served by the local
# service at /assets/, and from S3 behind CloudFront in AWS.
$(ASSETS)/.built: node_modules/.installed $(wildcard functions/form/static/*)
	rm -rf $(ASSETS) && mkdir -p $(ASSETS)
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(ASSETS)/
	cp -r $(GOVUK)/assets/fonts $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json $(ASSETS)/
	cp functions/form/static/* $(ASSETS)/
	touch $@

assets: $(ASSETS)/.built

# Swagger UI for the local service only (/_local/api-docs): never deployed.
$(SWAGGER)/.built: node_modules/.installed infra/local/static/swagger-init.js
	rm -rf $(SWAGGER) && mkdir -p $(SWAGGER)
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(SWAGGER)/
	cp infra/local/static/swagger-init.js $(SWAGGER)/
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The store is kept in .heard-state.db (HEARD_LOCAL_STATE=FILE elsewhere); ARGS=--in-memory for a
# throwaway run.
run: install assets $(SWAGGER)/.built
	$(BIN)/python -m infra.local --port $(PORT) $(ARGS)

# The two demo years of the reference report, built once into .heard-state-demo (HEARD_LOCAL_STATE=.heard-state-demo make run).
demo: install
	TZ=UTC $(BIN)/python -m infra.local.demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# Synthesizes offline with the local CLI; cdk-nag runs as a validation plugin and fails the synth.
synth: install assets lambda-python
	$(CDK) synth --no-notices --quiet

cfn-lint: synth
	@# W3005: CDK emits redundant DependsOn. W3045: CloudFront standard logs need an ACL-enabled log bucket.
	$(BIN)/cfn-lint --ignore-checks W3005 W3045 -- $(TEMPLATE)

# The second scanner, on the synthesized template (about 4 s): any failed check fails the target, so a new
# finding fails make test. .checkov.yaml skips nothing: what Heard accepts is skipped on its own resources,
# with its reason, from the tables in infra/checkov_skips.py.
checkov: synth $(CHECKOV_VENV)/bin/.installed
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

pytest: install lambda-python assets $(SWAGGER)/.built browser
	$(BIN)/pytest -n 2

test: lint typecheck cfn-lint checkov pytest

# The whole suite under Debian's libfaketime at other dates (each run about 8 minutes): a Christmas and New
# Year crossed during the run, the week British Summer Time starts (Easter Monday too), the next financial
# year, and a leap day years ahead. Only the wall clock moves (FAKETIME_DONT_FAKE_MONOTONIC), so every
# timeout and lock keeps real time; tests/dates/realsleep.c mends that libfaketime's clock_nanosleep.
# TEST_DATES="2028-01-03T09:00:00" make test-dates runs one date.
TEST_DATES ?= 2026-12-31T23:50:00 2027-03-29T00:30:00 2027-06-01T10:00:00 2032-02-29T12:00:00
LIBFAKETIME = /usr/lib/$(shell gcc -dumpmachine)/faketime/libfaketimeMT.so.1
REALSLEEP := build/realsleep.so

$(REALSLEEP): tests/dates/realsleep.c
	@mkdir -p $(@D)
	gcc -shared -fPIC -O2 -o $@ $<

faketime:
	@test -f $(LIBFAKETIME) || { apt-get update -qq && apt-get install -y -qq faketime >/dev/null; }

test-dates: install lambda-python assets $(SWAGGER)/.built browser faketime $(REALSLEEP)
	@failed=""; for when in $(TEST_DATES); do \
	  echo "== make test's pytest at $$when (faked wall clock)"; \
	  LD_PRELOAD="$(CURDIR)/$(REALSLEEP):$(LIBFAKETIME)" FAKETIME="@$${when/T/ }" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    $(BIN)/pytest -n 2 || failed="$$failed $$when"; \
	done; test -z "$$failed" || { echo "failed at:$$failed"; exit 1; }

bench: install
	$(BIN)/python -m bench

# Every step of the five browser journeys (tests/browser/test_journeys.py) at 375 and 1280 px, for a
# reviewer to see the form without running a browser.
screenshots: install assets browser
	rm -rf build/screenshots
	HEARD_SCREENSHOTS=build/screenshots $(BIN)/pytest -q -p no:randomly tests/browser/test_journeys.py
	@echo "Screenshots in build/screenshots/"

# Regenerate docs/openapi.json from the models (a test fails when it drifts).
openapi: $(BIN)/.installed
	$(BIN)/python -m functions.openapi

# Regenerate the bank holiday table from the `holidays` package (after upgrading it).
bank-holidays: $(BIN)/.installed
	$(BIN)/python -c "from shared.domain.calendar import bank_holiday_table as t; \
	  open('shared/domain/bank_holidays.py', 'w').write(t(2000, 2045))"

clean:
	rm -rf cdk.out .mypy_cache .ruff_cache .pytest_cache
