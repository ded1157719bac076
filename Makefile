# make book  — set up the environment (once) and build the HTML book in _build/html
# make test  — set up the environment (once) and run everything: library tests, nbval over
#              every notebook, the book build with warnings as errors
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
export PYDEVD_DISABLE_FILE_VALIDATION = 1

.PHONY: setup book test test-lib test-notebooks test-book lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,book]"
	touch $(STAMP)

book: setup
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: test-lib test-notebooks test-book

lint: setup
	$(VENV)/bin/ruff check lossbook tests benchmarks

test-lib: setup lint
	$(PY) -m pytest tests -q

test-notebooks: setup
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg \
		-p no:cacheprovider -q book

test-book: setup
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

bench: setup
	$(PY) benchmarks/bench_census.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_notebooks.py

clean:
	rm -rf _build .pytest_cache
