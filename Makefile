# Goal Tracker: `make run` serves the app with demo data; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app goaltracker
STATIC := goaltracker/static

.PHONY: run test lint format assets install bench clean screenshots fonts translations

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

assets: $(STATIC)/app.css $(STATIC)/govuk/govuk-frontend.min.js

$(STATIC)/app.css: node_modules/.installed assets/app.scss
	npm run --silent build

$(STATIC)/govuk/govuk-frontend.min.js: node_modules/.installed
	mkdir -p $(STATIC)/govuk
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

# The review summary PDF is drawn by WeasyPrint (Pango) in the Noto fonts, which cover the
# scripts families write in; its test reads the PDF back with pdftotext (poppler-utils).
fonts:
	@if command -v apt-get >/dev/null 2>&1 && ! { fc-list 2>/dev/null | grep -q "Noto Sans CJK" \
		&& command -v pdftotext >/dev/null 2>&1; }; then \
		{ apt-get update -qq && apt-get install -y -qq fonts-noto-core fonts-noto-cjk \
			fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null; } \
		|| echo "Could not install the Noto fonts: PDFs print only the scripts this machine's fonts cover."; \
	fi

run: install assets fonts
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) refresh-aggregates
	GOALTRACKER_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

# Gather the service's words into the template, add new ones to each language's catalogue, and
# compile the catalogues the app reads (the compiled files are committed too).
TRANSLATIONS := goaltracker/translations
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k lazy_gettext --no-location --sort-output \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching \
		--width 100
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install assets fonts lint
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest
	@url=$$($(BIN)/python tests/postgres_url.py) || exit 1; \
	if [ -n "$$url" ]; then \
		echo "Running the suite again on PostgreSQL"; \
		TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -m "not browser"; \
	else \
		echo "PostgreSQL is not reachable (set TEST_DATABASE_URL, or run a server at 127.0.0.1:5432 with a database 'test'): skipped the PostgreSQL run."; \
	fi

screenshots: install assets
	GOALTRACKER_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q

bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@# The load test's client, wrk, is Debian's package; without it the load test says so and stops.
	command -v wrk >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "Could not install wrk: the load test will not run."
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules $(STATIC)/govuk $(STATIC)/app.css .pytest_cache .hypothesis
