# Two commands on a fresh clone: `make run` serves the site, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
export HOST PORT WORKERS

.PHONY: run dev check test test-unit test-browser system-deps export bench messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Installs are stamped so repeat runs are instant; they redo when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed-run  ## validate and build once (build/cache/), then serve the production configuration
	$(PY) -m compileall -q app  # bytecode kept even with PYTHONDONTWRITEBYTECODE: starts 0.1 s sooner
	$(PY) -m app serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

dev: $(VENV)/.installed-run  ## serve for editing: a saved page is rebuilt in place (build/cache/), code restarts
	$(PY) -m app dev --host $(HOST) --port $(PORT)

check: $(VENV)/.installed-test  ## lint, format, types, import contracts, sizes, content, Dockerfile
	$(VENV)/bin/ruff check app tests bench tools
	$(VENV)/bin/ruff format --check app tests bench tools
	$(VENV)/bin/mypy app
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/check_sizes.py app
	$(PY) -m app check
	$(PY) -m app archive --check
	$(VENV)/bin/hadolint Dockerfile

system-deps:  ## the Debian tools the tests need (Chromium, nginx, Java for the HTML checker)
	bash tools/system-deps.sh

test: $(VENV)/.installed-test system-deps  ## every test: unit, content, routes, then browser gates
	$(PY) -m pytest -m "not browser"
	$(MAKE) --no-print-directory test-browser

test-unit: $(VENV)/.installed-test
	$(PY) -m pytest -m "not browser"

# Node tools for the browser gates (Nu Html Checker, Lighthouse), pinned by tools/package-lock.json.
# --ignore-scripts: vnu-jar's postinstall would try to download a Java; the system one is used.
tools/node_modules/.installed: tools/package.json tools/package-lock.json
	npm ci --prefix tools --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

test-browser: $(VENV)/.installed-test system-deps tools/node_modules/.installed  ## real-browser gates (axe, keyboard, privacy, vnu, Lighthouse)
	$(PY) -m pytest -m browser

$(VENV)/.installed-export: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[export]'
	touch $@

export: $(VENV)/.installed-export  ## write the whole site as static files to build/site
	$(PY) -m app export build/site

bench: $(VENV)/.installed-test system-deps  ## speed and memory figures (not a test)
	$(PY) bench/run.py

messages: $(VENV)/.installed-run  ## extract UI strings to locales/messages.pot; update the Spanish catalog
	$(VENV)/bin/pybabel extract -F babel.cfg --add-location=file --sort-output \
		-c "Translators:" --project "LA policy explainer" -o locales/messages.pot .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -l es --init-missing \
		--ignore-obsolete --ignore-pot-creation-date
	@echo "Now translate every empty or '#, fuzzy' entry in locales/es/LC_MESSAGES/messages.po."

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
