# Engage: the two commands a new user needs are `make run` and `make test`.
# Everything else here is what those two call.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Every install takes its versions from here (pip's -c constraints): the versions CI tested. `make lock`.
LOCK := requirements.lock
FLASK := $(BIN)/flask --app engage
BUILD := engage/static/build
GOVUK := node_modules/govuk-frontend/dist/govuk
HOST ?= 127.0.0.1
PORT ?= 5000
#: Links given out (emails, workshop join links, QR codes) are built from this; production needs it set.
#: Only for the commands that serve or prepare the local copy: tests set their own.
run migrate demo serve: export ENGAGE_BASE_URL ?= http://$(HOST):$(PORT)
#: Plain log lines on a developer's terminal (production's default is JSON, for a log store).
run migrate demo serve: export ENGAGE_LOG_FORMAT ?= text

.PHONY: run install install-test pdf-deps assets translations migrate demo serve test test-fast lint typecheck lock \
	browser-deps extract-messages bench validate load deploy-check deploy-deps clean

## make run: install, migrate, load the demo (only into an empty database) and serve on http://127.0.0.1:5000,
## with the job worker beside it
run: install migrate demo serve

## make install: the virtualenv, Engage and its front-end assets (idempotent)
install: $(VENV)/.installed assets translations instance/secret_key pdf-deps

## make install-test: the same, with the test and development tools (pytest, Playwright, ruff, mypy)
install-test: install $(VENV)/.installed-test

## Pango, which WeasyPrint (the PDF reports) draws text with: installed with apt-get when we are root and it
## is missing; otherwise say how (everything but the PDF downloads works without it).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-ui-core
pdf-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's Pango for the PDF reports..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	else \
		echo "Pango is missing: the PDF reports will not work. Install it with: sudo apt-get install $(PDF_PACKAGES)"; \
	fi

# A new virtualenv gets uv (its version from the lock) first, and every install after goes through it: the app
# and its test extras in about 11 s, where pip took about 50 s. A virtualenv made before, without uv, keeps
# using pip until its test extras (which include uv) are installed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) uv
PIP_INSTALL = $(if $(wildcard $(BIN)/uv),$(BIN)/uv pip install --python $(BIN)/python,$(BIN)/pip install) \
	--quiet -c $(LOCK)

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PIP_INSTALL) -e '.[test,dev]'
	@touch $@

## make lock: resolve requirements.lock again from pyproject.toml, keeping every pin that still fits;
## `make lock LOCK_ARGS=--upgrade` moves everything to the newest versions allowed. Then run make test.
lock: $(VENV)/.installed-test
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --quiet \
		$(LOCK_ARGS) --output-file $(LOCK)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

## make assets: GOV.UK Frontend (compiled with the council's font stack), htmx, Plotly.js and axe-core from npm
assets: $(BUILD)/engage.css $(BUILD)/govuk-frontend.min.js $(BUILD)/htmx.min.js $(BUILD)/axe.min.js \
	$(BUILD)/plotly.min.js $(BUILD)/.compressed

$(BUILD)/engage.css: assets/engage.scss node_modules/.package-lock.json
	@mkdir -p $(BUILD)/govuk-assets $(BUILD)/licences
	node_modules/.bin/sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps \
		assets/engage.scss $@
	cp -R $(GOVUK)/assets/images $(BUILD)/govuk-assets/
	node -e 'const p=require("./node_modules/govuk-frontend/package.json"); console.log(`$${p.name} $${p.version}: $${p.license} licence, Crown copyright. Source: $${p.repository.url || p.repository}`)' \
		> $(BUILD)/licences/govuk-frontend.txt

$(BUILD)/govuk-frontend.min.js: node_modules/.package-lock.json
	@mkdir -p $(BUILD)
	cp $(GOVUK)/govuk-frontend.min.js $@

$(BUILD)/htmx.min.js: node_modules/.package-lock.json
	@mkdir -p $(BUILD)/licences
	cp node_modules/htmx.org/dist/htmx.min.js $@
	cp node_modules/htmx.org/LICENSE $(BUILD)/licences/htmx.txt

$(BUILD)/axe.min.js: node_modules/.package-lock.json
	@mkdir -p $(BUILD)/licences
	cp node_modules/axe-core/axe.min.js $@
	cp node_modules/axe-core/LICENSE $(BUILD)/licences/axe-core.txt

# Plotly.js from npm, the "cartesian" partial bundle (bar, box, scatter: every trace Engage draws), a third
# of the full library's size; its version is the one the plotly Python package writes figures for
# (tests/test_static_files.py checks both). Served by the app, never from a CDN.
PLOTLY := node_modules/plotly.js-cartesian-dist-min
$(BUILD)/plotly.min.js: node_modules/.package-lock.json
	@mkdir -p $(BUILD)/licences
	cp $(PLOTLY)/plotly-cartesian.min.js $@
	node -e 'const p=require("./$(PLOTLY)/package.json"); console.log(`plotly.js $${p.version} (the cartesian partial bundle): $${p.license} licence, Copyright Plotly, Inc.`)' \
		> $(BUILD)/licences/plotly.txt

# Each built file also kept gzip-compressed beside it, served as is to browsers that accept it.
$(BUILD)/.compressed: $(BUILD)/engage.css $(BUILD)/govuk-frontend.min.js $(BUILD)/htmx.min.js $(BUILD)/axe.min.js \
	$(BUILD)/plotly.min.js | $(VENV)/.installed
	$(BIN)/python -m whitenoise.compress --no-brotli $(BUILD)
	@touch $@

## make translations: compile the message catalogues (.mo files are built, not kept in git), each only when
## its .po file changed
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard engage/translations/*/LC_MESSAGES/messages.po))
translations: $(CATALOGUES)

engage/translations/%/LC_MESSAGES/messages.mo: engage/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d engage/translations -l $*

## make extract-messages: refresh the .pot template and merge it into every language's .po
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--ignore-dirs '.* node_modules __pycache__ instance build' \
		--width 110 -o engage/translations/messages.pot .
	$(BIN)/pybabel update -i engage/translations/messages.pot -d engage/translations --no-fuzzy-matching \
		--width 110

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@
	@echo "Wrote a new secret key to $@"

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

# The job worker (exports, emails, results, the nightly schedule) runs beside the dev server, on the queue in
# instance/jobs.sqlite, and stops with it. ENGAGE_JOBS_IMMEDIATE=1 runs jobs inside the requests instead.
serve:
	@if [ -z "$$ENGAGE_JOBS_IMMEDIATE" ]; then $(FLASK) jobs worker & fi; \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: install the test extras, lint, then run every test (browser tests included)
test: install $(VENV)/.installed-test lint browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-fast: every test but the browser tests, without the lint (the inner loop while changing code)
test-fast: install $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

## make lint: ruff (style and bugs) and mypy (types); once for a given set of sources (CI lints, then its two
## make test runs find nothing to do)
LINTED := engage tests migrations scripts benchmarks gunicorn.conf.py
lint: $(VENV)/.linted

$(VENV)/.linted: $(shell find $(LINTED) -name '*.py') pyproject.toml $(LOCK) $(VENV)/.installed-test
	$(BIN)/mypy
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	@touch $@

## make typecheck: mypy over engage/ (settings in pyproject.toml): zero errors in every module
typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

## Chromium for the browser tests, and a font with Urdu's letters (without one the Urdu screenshots show
## empty boxes): installed with apt-get when we are root; otherwise say how. The tests drive Debian's
## chromium-headless-shell, Chromium built without its windowing and browser interface (the same engine,
## and what Playwright itself runs for headless tests): the browser tests take about a quarter less time.
BROWSER_PACKAGES := chromium-headless-shell fonts-noto-ui-core
browser-deps:
	@if command -v chromium-headless-shell >/dev/null 2>&1 && fc-list :lang=ur | grep -q .; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's Chromium and Noto fonts for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	else \
		echo "Chromium or an Urdu font is missing: browser tests may be skipped or show empty boxes."; \
		echo "Install them with: sudo apt-get install $(BROWSER_PACKAGES)"; \
	fi

## make bench: performance figures (not part of make test), written to docs/benchmarks.md
bench: install $(VENV)/.installed-test $(VENV)/.installed-load
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's wrk for the floor benchmark..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk is missing: install it with sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python -m benchmarks.run

## make validate: a simulation study of every published interval's coverage at 10, 20, 50 and 200
## respondents and of the pair chooser's bias (not part of make test; a few minutes), written to
## docs/validation.md
validate: install $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.validate

## make load: a crowd of simulated residents against gunicorn (SQLite, then PostgreSQL with Redis), a crash
## mid-run, and an audit of every answer; writes the "load" section of docs/benchmarks.md (about 15 minutes)
load: install $(VENV)/.installed-test $(VENV)/.installed-load
	$(BIN)/python -m benchmarks.load

## make deploy-check: the deployment recipe in deploy/ proved on this machine (docs/deploy.md): nginx with a
## self-signed certificate in front of one, then two, gunicorn hosts on PostgreSQL and Redis, every check made
## through nginx. Its own database and Redis number (ENGAGE_DEPLOY_CHECK_DATABASE_URL, _REDIS_URL), removed
## at the end; about 2 minutes.
deploy-check: install $(VENV)/.installed-test deploy-deps
	$(BIN)/python -m scripts.deploy_check

## Debian's nginx for make deploy-check, installed with apt-get when it is missing and we are root.
deploy-deps:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's nginx for make deploy-check..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null; \
	else \
		echo "make deploy-check needs nginx: sudo apt-get install nginx"; exit 1; \
	fi

$(VENV)/.installed-load: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PIP_INSTALL) -e '.[load]'
	@touch $@

clean:
	rm -rf $(BUILD) node_modules $(VENV) .pytest_cache .ruff_cache .mypy_cache
