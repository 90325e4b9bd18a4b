# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test audit lock install install-dev install-bench bench translations extract-messages lint format clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files in requirements/ (exact versions and hashes), so every
# machine gets the same packages; `make lock` writes them again from pyproject.toml.
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes

$(VENV)/.installed: $(BIN)/python requirements/base.txt
	$(PIP_LOCKED) -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python requirements/dev.txt
	$(PIP_LOCKED) -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: $(BIN)/python requirements/bench.txt
	$(PIP_LOCKED) -r requirements/bench.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(LOCK) -o requirements/base.txt pyproject.toml
	$(LOCK) --extra dev -o requirements/dev.txt pyproject.toml
	$(LOCK) --extra dev --extra bench -o requirements/bench.txt pyproject.toml
	$(LOCK) -o requirements/lrs.txt requirements/lrs.in

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

# Compiled catalogues are build output, made from the .po files on every run.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics

extract-messages: $(VENV)/.installed
	$(BIN)/flask translate update
	$(BIN)/flask translate check || true

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask institutions seed
	$(BIN)/flask certificates keygen --missing
	$(BIN)/flask courses sync
	$(BIN)/flask demo seed --employees 300
	@echo "Serving on http://127.0.0.1:5000 with a job worker beside it (Ctrl+C stops both)"
	@# The worker issues certificates and sends mail; it stops with the web server.
	$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r app --severity-level medium
	$(BIN)/lint-imports

# Known vulnerabilities in the installed dependencies (needs PyPI's JSON API or OSV).
audit: install-dev
	$(BIN)/python scripts/audit.py

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The independent credential verifier's packages, exactly as locked (skipped without npm).
tests/verifier/node_modules/.installed: tests/verifier/package-lock.json
	@if command -v npm >/dev/null; then cd tests/verifier && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; else echo "npm missing: the outside-verifier tests will be skipped"; fi

# The OpenID Connect provider the single sign-on tests sign in against (skipped without npm).
tests/oidc/node_modules/.installed: tests/oidc/package-lock.json
	@if command -v npm >/dev/null; then cd tests/oidc && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; else echo "npm missing: the single sign-on tests will be skipped"; fi

# The learning record store of the xAPI tests (Ralph), in an environment of its own: it pins
# click and FastAPI exactly, and the app's environment keeps the versions production runs.
LRS_VENV := tests/lrs/.venv
$(LRS_VENV)/.installed: requirements/lrs.txt
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/lrs.txt
	touch $@

test: install-dev translations lint audit tests/verifier/node_modules/.installed tests/oidc/node_modules/.installed $(LRS_VENV)/.installed
	$(BIN)/pytest -m "slow or not slow"

# Benchmarks of issue 8 (see README): BENCH_ARGS="--scale S --databases sqlite" for a quick run.
BENCH_ARGS ?=
bench: install-bench translations
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# A picture of every page type, as every role, at 375 and 1280 px, in screenshots/ (not committed).
screenshots: install-dev translations
	$(BIN)/python -m scripts.screenshots

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
