# benan: `make run` serves the demo, `make test` runs everything the CI runs on SQLite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENTERPRISES ?= 2000
export DEBUG ?= 1

.PHONY: run test lint bench browser-deps java-deps vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The tests also run the power detector on Spark (the DuckDB/PySpark parity test).
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/benan migrate --no-input -v 0
	$(BIN)/benan load_regions
	$(BIN)/benan load_standards
	$(BIN)/benan demo --if-empty --enterprises $(DEMO_ENTERPRISES)
	@$(BIN)/benan demo_logins
	$(BIN)/benan runserver $(HOST):$(PORT) --noreload

# Debian's chromium drives the browser tests, and a CJK font lets it draw Chinese;
# install them when the machine lacks them.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "installing chromium and fonts-noto-cjk from Debian (browser tests need them)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# PySpark needs a Java runtime (17); install Debian's when the machine has none.
java-deps:
	@if ! command -v java >/dev/null 2>&1; then \
	  echo "installing openjdk-17-jre-headless from Debian (the Spark engine needs Java)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/benan makemigrations --check --dry-run

test: $(VENV)/.installed-test browser-deps java-deps lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# Re-fetch the vendored front-end files from npm (they are committed; run only to upgrade).
vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
