# Two commands on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
VNU    := node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: build test bench fuzz format i18n golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m compileall -q generator  # as pip does for an installed package
	touch $(STAMP)

## build: set up .venv and build the sample content into output/
build: $(STAMP)
	$(BIN)/intranet build

# The W3C Nu HTML Checker for the validity tests (npm; runs on Java). Without npm the
# tests that need it skip with the reason (in CI they fail).
$(VNU): package.json package-lock.json
	-command -v npm >/dev/null 2>&1 && npm ci --no-audit --no-fund --silent && touch $(VNU)

## test: set up .venv, then ruff, mypy (strict) and pytest with coverage, on every core
# (pytest-xdist; `worksteal`: a worker that is done takes tests queued for another, so the
# two long accessibility tests do not leave one core idle at the end). PYTEST_JOBS=0: one process.
PYTEST_JOBS ?= auto
test: $(STAMP) $(VNU)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(PYTEST_JOBS) --dist worksteal --cov --cov-report=term

## bench: build and sending benchmarks, written to docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python bench/run.py

## fuzz: the property-based tests with many more examples (FUZZ_EXAMPLES, default 5000), and
# the random sequences of changes (incremental builds against clean ones, the preview's
# rebuilds against fresh ones) from FUZZ_SEQUENCES more seeds each (default 40), on every core
FUZZ_EXAMPLES ?= 5000
FUZZ_SEQUENCES ?= 40
SEQUENCE_TESTS = tests/test_incremental.py::test_incremental_output_equals_a_clean_build \
	tests/test_incremental.py::test_incremental_output_over_the_sample_content_equals_a_clean_build \
	tests/test_serve.py::test_the_previews_rebuilds_after_random_changes_equal_fresh_compositions
fuzz: $(STAMP)
	INTRANET_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_limits.py
	INTRANET_FUZZ_SEQUENCES=$(FUZZ_SEQUENCES) $(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_JOBS) $(SEQUENCE_TESTS)

## format: apply ruff's formatting and safe fixes
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## i18n: extract UI strings from templates and merge them into the catalogs
i18n: $(STAMP)
	$(BIN)/pybabel extract --no-wrap --no-location --sort-output --omit-header -F babel.cfg -k gettext_in:2 -o generator/locale/messages.pot.new templates generator
	mv generator/locale/messages.pot.new generator/locale/messages.pot  # a failed extraction leaves the catalog as it was
	for lang in es fr en; do \
	  $(BIN)/pybabel update --no-wrap --ignore-obsolete --init-missing --omit-header --no-fuzzy-matching -i generator/locale/messages.pot -d generator/locale -l $$lang; \
	done

## golden: refresh tests/golden/expected after a reviewed change of output
golden: $(STAMP)
	$(BIN)/pytest tests/golden --update-golden -q

clean:
	rm -rf $(VENV) node_modules output .pytest_cache .mypy_cache .ruff_cache .coverage
