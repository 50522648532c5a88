# make demo  — install, migrate the embedded SQLite database, load the catalog
#              and demo data, print the logins and serve http://127.0.0.1:8000
# make test  — run the whole test suite (set DATABASE_URL for PostgreSQL)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000


.PHONY: bench-db
.PHONY: install system-deps demo serve test test-browser lint format migrations-check bench-engine bench-signing bench-api bench-kpi screenshots clean

install: $(STAMP) system-deps

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

system-deps:
	@./scripts/system-deps.sh

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

serve: install
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-browser: install
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# Screenshots of the main pages at 1280 px and 360 px into docs/screenshots/.
screenshots: install
	$(PY) scripts/screenshots.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

BENCH_DB ?= motcua_bench
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
N ?= 1000

bench-db:
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(BENCH_DB)

bench-engine: install bench-db
	DATABASE_URL=$(BENCH_URL) $(PY) bench/engine.py -n $(N)

bench-signing: install bench-db
	DATABASE_URL=$(BENCH_URL) $(PY) bench/signing.py

# The KPI dashboard at N dossiers (default 1,000,000) in PostgreSQL motcua_bench_kpi: seed time, p50/p95.
BENCH_KPI_DB ?= motcua_bench_kpi
KPI_N ?= 1000000
bench-kpi: install
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_KPI_DB)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(BENCH_KPI_DB)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_KPI_DB) $(PY) bench/kpi.py -n $(KPI_N)

# The REST API through gunicorn on PostgreSQL (bench/api.py creates motcua_bench_api).
bench-api: install
	$(PY) bench/api.py $(BENCH_API_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
