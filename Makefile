# Baclofen CDS — the two commands a new user runs are `make run` and `make test`.
# Each creates the virtual environment it needs on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HEADLESS_VENV := .venv-headless

.PHONY: run test bench lint typecheck contracts headless-test wheel-check clock-test mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[gui,postgresql,test,test-gui,dev]'
	touch $(STAMP)

## run: open the application window (installs on first use)
run: $(STAMP)
	$(VENV)/bin/baclofen-cds

## test: every test suite (installs on first use)
test: $(STAMP)
	$(PY) -m pytest

## bench: print the speed figures of every benchmark
bench: $(STAMP)
	$(PY) -m benchmarks

## clock-test: the logic, cli, handout and ui suites with the machine clock shifted (faketime)
# Each day starts 30 s before midnight, so the run also crosses a date change.
CLOCK_DAYS ?= 2026-12-01 2027-02-28 2028-02-29 2030-12-31
# Left out under faketime, for faketime's sake, not the dates': with the monotonic clock faked,
# Python's timed waits overflow ("timestamp too large to convert to C _PyTime_t") in SQLite's
# busy wait of a records save, the print worker's spooler process and the start-up timer.
# They run in `make test` on the real clock; none of them computes a date.
CLOCK_LEAVE_OUT ?= --ignore=tests/ui/test_printing.py --ignore=tests/cli/test_integrity.py \
	--deselect tests/ui/test_settings_and_startup.py::test_startup_check_prints_milliseconds_and_exits_0
clock-test: $(STAMP)
	@command -v faketime >/dev/null || { echo "clock-test needs faketime (apt-get install faketime)"; exit 1; }
	@for day in $(CLOCK_DAYS); do \
	  echo "--- machine clock at $$day 23:59:30"; \
	  faketime "$$day 23:59:30" $(PY) -m pytest -q -p no:cacheprovider \
	    tests/logic tests/cli tests/handout tests/ui tests/test_one_clock.py \
	    $(CLOCK_LEAVE_OUT) || exit 1; \
	done

## mutate: mutation testing of the clinical core, niced (MODULE=renal|dosing; docs/mutation.md)
MODULE ?= renal
mutate: $(STAMP)
	$(PY) tools/mutate.py $(MODULE)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy baclofen_cds

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

## headless-test: logic, records, handout and cli suites in an environment without PySide6
headless-test:
	$(PYTHON) -m venv $(HEADLESS_VENV)
	$(HEADLESS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(HEADLESS_VENV)/bin/python -m pip install --quiet -e '.[test]'
	$(HEADLESS_VENV)/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('PySide6') is not None)"
	$(HEADLESS_VENV)/bin/python -m pytest -o addopts="--strict-markers -ra" $(wildcard tests/logic tests/records tests/handout tests/cli tests/fhir)

clean:
	rm -rf $(VENV) $(HEADLESS_VENV) dist build .pytest_cache .mypy_cache .ruff_cache
