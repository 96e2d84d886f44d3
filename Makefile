# benan: `make run` serves the demo, `make test` runs everything the CI runs on SQLite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENTERPRISES ?= 2000
export DEBUG ?= 1

.PHONY: run test lint bench fonts browser-deps java-deps office-deps docs-circular vendor clean

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

run: $(VENV)/.installed fonts
	$(BIN)/benan migrate --no-input -v 0
	$(BIN)/benan load_regions
	$(BIN)/benan load_standards
	$(BIN)/benan demo --if-empty --enterprises $(DEMO_ENTERPRISES)
	@$(BIN)/benan demo_logins
	$(BIN)/benan runserver $(HOST):$(PORT) --noreload

# A CJK font: the monthly circular's charts (matplotlib) and the browser tests draw Chinese with it.
fonts:
	@if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "installing fonts-noto-cjk from Debian (charts and pages draw Chinese with it)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-noto-cjk >/dev/null; \
	fi

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

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own test database.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test browser-deps java-deps lint
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# LibreOffice (headless) and poppler turn a circular into a PDF and a PNG of its first page.
office-deps:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  echo "installing libreoffice-writer-nogui and poppler-utils from Debian (to render the circular)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui poppler-utils >/dev/null; \
	fi

# docs/circular-page1.png for the README: the province's circular of CIRCULAR_MONTH on the demo data
# of `make run` (var/benan.sqlite3), rendered by LibreOffice headless, page one as PNG.
CIRCULAR_MONTH ?= 2026-10
docs-circular: $(VENV)/.installed fonts office-deps
	$(BIN)/benan report monthly --region 510000 --month $(CIRCULAR_MONTH) --out var/circular.docx
	soffice --headless --convert-to pdf --outdir var var/circular.docx >/dev/null
	pdftoppm -r 80 -png -f 1 -l 1 -singlefile var/circular.pdf docs/circular-page1

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# Re-fetch the vendored front-end files from npm (they are committed; run only to upgrade).
vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
