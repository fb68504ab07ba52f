# The two commands a newcomer needs: `make run` and `make test`.
PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app nominations
PG_URL ?= postgresql://127.0.0.1:5432/test
# The suite in parallel (pytest-xdist), one worker more than cores: the browser and
# multi-process tests spend much of their time waiting on other processes (measured on 2 cores:
# 3 workers 107 s, 2 workers 127 s). A test file per worker at a time: the tests of one
# multi-process file share a PostgreSQL database, those of a browser file one live server.
# (Not loadgroup: pytest-xdist 3.8 cannot group under pytest 9.2.) XDIST= runs in one process.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
XDIST ?= -n $(WORKERS) --dist loadfile

# The bokmål catalog: edited as .po (committed), compiled to .mo by the install step.
TRANSLATIONS := nominations/translations
CATALOG := $(TRANSLATIONS)/nb/LC_MESSAGES/messages
PYBABEL := $(BIN)/pybabel

.PHONY: translations translations-extract translations-update run test test-postgres test-all bench install install-production install-test lint format migrate demo browser postgres redis clean oidc-provider a11y-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed $(CATALOG).mo

## Translations: `make translations-update` collects every text marked for translation into the
## catalog (new ones untranslated, gone ones dropped); translate them in $(CATALOG).po, then
## `make translations` compiles (tests/test_translations.py fails while one is missing).
translations: $(CATALOG).mo

$(CATALOG).mo: $(CATALOG).po | $(VENV)/.installed
	$(PYBABEL) compile --statistics -d $(TRANSLATIONS) -D messages

translations-extract: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 \
		--ignore-dirs "node_modules .* _* instance tests" \
		--no-location --sort-output --omit-header -o $(TRANSLATIONS)/messages.pot .

translations-update: translations-extract
	$(PYBABEL) update --no-fuzzy-matching --ignore-obsolete \
		-i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -D messages
	rm -f $(TRANSLATIONS)/messages.pot
	$(MAKE) translations

# The application with the production extra (the Redis client for a shared sign-in limit).
install-production: install
	$(BIN)/python -m pip install --quiet -e '.[production]'

install-test: $(VENV)/.installed-test $(CATALOG).mo browser oidc-provider a11y-tools

# The OpenID Connect provider the sign-in tests run (npm oidc-provider, pinned in the lock file).
oidc-provider: tests/oidc/node_modules/.installed

tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --silent
	touch $@

# The accessibility checkers of the browser tests (tests/browser/test_a11y_*.py): axe-core and
# the Nu HTML checker (npm vnu-jar, pinned in the lock file; its install script, which would
# download a Java runtime, is not run: the machine's java runs vnu.jar).
a11y-tools: tests/a11y/node_modules/.installed
	@sh scripts/ensure-java.sh

tests/a11y/node_modules/.installed: tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

# Debian's Chromium for the end-to-end tests (Playwright cannot download browsers here).
browser:
	@sh scripts/ensure-chromium.sh

# PostgreSQL for the tests that need it: started when installed but down.
postgres:
	@sh scripts/ensure-postgres.sh

# Redis for the tests of the shared sign-in limit: started when installed but not answering.
redis:
	@sh scripts/ensure-redis.sh

## Serve the demo on http://127.0.0.1:$(PORT): migrate, load demo data when empty, run.
run: install
	$(FLASK) db upgrade
	PORT=$(PORT) $(FLASK) demo --if-empty
	PORT=$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## The whole suite on SQLite, the browser tests included (screenshots in test-output/), and
## the multi-process tests (gunicorn and scheduler processes on PostgreSQL databases of their
## own; skipped when PostgreSQL does not answer), with Redis for the shared sign-in limit.
test: install-test postgres redis
	$(BIN)/python -m pytest $(XDIST) --durations=15 $(PYTEST_ARGS)

## The whole suite on PostgreSQL (PG_URL, default the local `test` database; under xdist each
## worker uses a database of its own beside it, `test_gw0`, `test_gw1`, ...). Left out: the
## browser tests (their own SQLite database) and the multi-process tests (their own PostgreSQL
## databases), which do not depend on PG_URL: `make test` runs them, so each runs once.
test-postgres: install-test postgres redis
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m "not browser and not multiprocess" $(XDIST) $(PYTEST_ARGS)

test-all: test test-postgres

## The figures of issue 16, each beside its reference, as one table (bench/, README
## "Performance"); exits 1 when a figure misses its goal. QUICK=1: small data, nothing judged
## (CI runs it so that the harness keeps working). Its own database, bench_nominations.
## The load comes from wrk (Debian's package, installed here when possible), else Python.
bench: $(VENV)/.installed-test $(CATALOG).mo postgres
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| echo "bench: wrk is not installed; Python threads drive the load"
	$(BIN)/python -m bench $(if $(QUICK),--quick)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo

clean:
	rm -rf $(VENV) instance/nominations.db test-output $(TRANSLATIONS)/*/LC_MESSAGES/*.mo
