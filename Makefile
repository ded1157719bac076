# make book  — set up the environment (once) and build the HTML book in _build/html
# make test  — set up the environment (once) and run everything: library tests, nbval over
#              every notebook (recording each notebook's run for the execution-status page),
#              the book build with warnings as errors (-W -n), then the built book in a real
#              browser (headless Chromium: tests/test_browser.py) and the API page check
PYTHON   ?= python3
VENV     ?= .venv
PY        = $(VENV)/bin/python
STAMP     = $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export PYDEVD_DISABLE_FILE_VALIDATION = 1

# make execute [NB=book/x.ipynb] — re-execute chapter notebooks in place (refresh stored outputs)
# (widgets helper: the frames target below)
.PHONY: frames execute setup chromium book test test-lib test-notebooks test-book test-browser lint bench clean

setup: $(STAMP) chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,book]"
	touch $(STAMP)

# Debian's Chromium for the browser test, installed when missing and we are root with apt-get;
# where it cannot be installed the browser test is skipped with a message saying so.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser test"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium >/dev/null; } \
		|| echo "warning: could not install chromium: the browser test will be skipped"; \
	else \
		echo "warning: no $(CHROMIUM), and installing it needs root and apt-get:" \
			"the browser test will be skipped"; \
	fi

book: setup
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: test-lib test-notebooks test-book test-browser

lint: setup
	$(VENV)/bin/ruff check lossbook tests benchmarks

# tests marked built_book read _build/html: they run in test-browser, after the build
test-lib: setup lint
	$(PY) -m pytest tests -q -m "not built_book"

# tests/nbval_timing.py records each notebook's run time and verdict in _build/nbval-runs.json;
# the build (execute_notebooks: cache) then reuses that run instead of executing again
test-notebooks: setup
	$(PY) -m pytest --nbval --nbval-current-env --nbval-cell-timeout=600 --nbval-sanitize-with tests/sanitize.cfg \
		-p no:cacheprovider -p tests.nbval_timing -q book

test-book: setup
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test-browser: setup
	LOSSBOOK_REQUIRE_BOOK=1 $(PY) -m pytest tests -q -m built_book -p no:cacheprovider

# Re-execute notebooks in place so that their stored outputs are fresh. No progress bars:
# a bar drawn here would be stored, and nbval's run (which draws none) would not match it.
NB ?= $(wildcard book/*.ipynb)
execute: setup
	for nb in $(NB); do LOSSBOOK_PROGRESS=0 $(VENV)/bin/jupyter execute --inplace $$nb || exit 1; done

# make frames — the static book's widget frames (lossbook/frames.py): each chapter is run (not
# saved) with LOSSBOOK_FRAMES set, and every widget renders its frames into book/_frames, cached
# by content hash (an unchanged widget is not re-rendered); the book build shows them as players
FRAMES_DIR = $(CURDIR)/book/_frames
frames: setup
	for nb in $(NB); do LOSSBOOK_FRAMES=$(FRAMES_DIR) LOSSBOOK_FRAMES_PAGE=$$(basename $$nb .ipynb) \
		LOSSBOOK_PROGRESS=0 $(VENV)/bin/jupyter execute $$nb || exit 1; done

bench: setup
	$(PY) benchmarks/bench_census.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_notebooks.py

clean:
	rm -rf _build .pytest_cache
