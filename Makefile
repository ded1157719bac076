# make book   — set up the environment (once) and build the HTML book in _build/html from the
#               outputs stored in the notebooks (nothing is executed; about a minute)
# make test   — set up the environment (once) and run everything: library tests, nbval over
#               every notebook twice (default BLAS, then a second BLAS kernel on one thread),
#               each run entered in book/execution-record.json; the book build with warnings
#               as errors (-W -n); the built book in headless Chromium (tests/test_browser.py);
#               one chapter run in JupyterLab in Chromium (tests/test_lab.py)
# make lab    — JupyterLab on the chapters, with MyST markup rendered (jupyterlab-myst)
# make execute [NB=book/x.ipynb] — re-execute chapter notebooks in place (refresh stored outputs)
# make frames [NB=...] — re-render the static book's widget frames of the stale chapters only
PYTHON   ?= python3
VENV     ?= .venv
PY        = $(VENV)/bin/python
STAMP     = $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
EXTRAS    = test,book,lab
# seconds a notebook cell may run in make execute, nbval and make stress: the slowest cell
# takes about 20 s on an idle machine and took 259 s on this 2-core machine at a load average
# of 20, so 600 s leaves a margin while a stalled kernel fails in 10 minutes, not 30, with the
# cell named
CELL_TIMEOUT ?= 600
# the second floating-point environment of make test: another OpenBLAS kernel, one thread
BLAS_ENV  = OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=1
NBVAL     = $(PY) -m pytest --nbval --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) \
            --nbval-sanitize-with tests/sanitize.cfg -p no:cacheprovider -p no:randomly -p tests.nbval_timing -q
export PYDEVD_DISABLE_FILE_VALIDATION = 1
export LOSSBOOK_PROGRESS = 0

.PHONY: setup lock chromium book lab test test-lib test-notebooks test-notebooks-blas test-book \
        test-browser test-lab lint execute strip-widgets colab-cells stress frames frames-check \
        bench clean

setup: $(STAMP) chromium

# the versions the book was checked with: constraints.txt (refreshed by `make lock`)
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	touch $(STAMP)

# Refresh constraints.txt: resolve pyproject.toml's ranges afresh in a throw-away venv and
# freeze what was installed (lossbook itself left out). Check with `make test`, then commit.
lock:
	rm -rf _build/lock-venv
	$(PYTHON) -m venv _build/lock-venv
	_build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	_build/lock-venv/bin/python -m pip install --quiet -e ".[$(EXTRAS),bench]"
	{ echo "# pip constraints: the versions lossbook's book and tests were checked with"; \
	  echo "# (CPython $$(_build/lock-venv/bin/python -c 'import platform; print(platform.python_version())'), $$(uname -sm))."; \
	  echo "# Written by \`make lock\` (pip freeze of a fresh venv); \`make setup\` installs with -c."; \
	  _build/lock-venv/bin/python -m pip freeze --exclude-editable --exclude lossbook; } > constraints.txt
	rm -rf _build/lock-venv
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) packages"

# Debian's Chromium for the browser tests, installed when missing and we are root with apt-get;
# where it cannot be installed the browser tests are skipped with a message saying so.
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

# JupyterLab on the repository, opened at NB (default: the first chapter)
NB_LAB ?= book/part1_setting.ipynb
lab: setup
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(NB_LAB)

# first (seconds) a check that the stored widget frames are current (make frames-check: fails,
# naming `make frames`, when the library or a chapter changed since they were rendered); the
# two nbval passes run side by side (one per core; each is one Python process, mostly
# single-threaded), each printing its report when it ends; then the build and the browser tests
test: frames-check test-lib
	$(MAKE) --no-print-directory -j2 --output-sync=target test-notebooks test-notebooks-blas
	$(MAKE) --no-print-directory test-book test-browser test-lab

lint: setup
	$(VENV)/bin/ruff check lossbook tests benchmarks tools book/_ext

# tests marked built_book read _build/html: they run in test-browser, after the build;
# tests marked lab start JupyterLab: test-lab
test-lib: setup lint
	$(PY) -m pytest tests -q -m "not built_book and not lab"

# nbval: every notebook from a fresh kernel, every stored output compared (tests/sanitize.cfg);
# each run is entered in book/execution-record.json under its environment's label
test-notebooks: setup
	$(NBVAL) book

# the same, against the same stored outputs, under a second BLAS kernel on one thread (a
# stand-in for another machine); recorded beside the first pass, under its own label
test-notebooks-blas: setup
	$(BLAS_ENV) $(NBVAL) book

# from scratch (no doctree cache): a warning the cache would hide fails here as on a clean checkout
test-book: setup
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test-browser: setup
	LOSSBOOK_REQUIRE_BOOK=1 $(PY) -m pytest tests -q -m built_book -p no:cacheprovider

test-lab: setup
	$(PY) -m pytest tests/test_lab.py -q -m lab -p no:cacheprovider

# Re-execute notebooks in place so that their stored outputs are fresh (tools/execute.py: no
# progress bars, widget state stripped, the run entered in book/execution-record.json)
NB ?= $(wildcard book/*.ipynb)
execute: setup
	$(PY) tools/execute.py --inplace --timeout $(CELL_TIMEOUT) $(NB)
	$(MAKE) --no-print-directory frames

# remove stored widget state from the notebooks without executing them
strip-widgets: setup
	$(PY) tools/execute.py --strip-only $(NB)

# insert/update every chapter's first cell, the Colab install cell, from _config.yml
colab-cells: setup
	$(PY) tools/colab_cell.py $(NB)

# every chapter executed ROUNDS (3) times in a row, nothing written: no kernel may stall
stress: setup
	PY=$(PY) LOSSBOOK_CELL_TIMEOUT=$(CELL_TIMEOUT) tools/stress.sh

# make frames — the static book's widget frames (lossbook/frames.py), stored in book/_frames:
# each chapter whose content key (lossbook/frames_store.py: the library's code,
# constraints.txt, its code cells up to its last widget, its data files) differs from the one
# in its frames.json is run up to its last widget with LOSSBOOK_FRAMES set (tools/frames.py);
# a current chapter is skipped without being executed; FRAMES_JOBS (default 2) chapters at a time.
# make frames-check — render nothing; fail, naming `make frames`, if any chapter is stale
FRAMES_JOBS ?= 2
FRAMES_NB = $(if $(filter file,$(origin NB)),,$(NB))
frames: setup
	$(PY) tools/frames.py --jobs $(FRAMES_JOBS) --timeout $(CELL_TIMEOUT) $(FRAMES_NB)

frames-check: setup
	$(PY) tools/frames.py --check

# the benchmarks (they print figures; no assertion); the bench extra adds JAX for bench_census
bench: setup
	$(PY) -m pip install --quiet -c constraints.txt -e ".[bench]"
	$(PY) benchmarks/bench_census.py
	$(PY) benchmarks/bench_widgets.py
	$(PY) benchmarks/bench_notebooks.py
	$(MAKE) --no-print-directory book
	$(PY) benchmarks/bench_frames.py

clean:
	rm -rf _build .pytest_cache
