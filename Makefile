# gaweb: `make run` installs what is needed and runs the demo; `make test` runs the whole test suite.
# Everything is installed into .venv inside this folder; nothing outside it is touched.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/python -m pip
# The suite's processes: most tests wait on real workers, browsers or clusters, so two share two cores well.
TEST_PROCESSES ?= 2

.PHONY: run inline-demo test docs browser install install-test migrate clean

run: install migrate
	$(PY) manage.py up --demo examples/digits-demo.json

# The whole search in this process, with no Redis and no worker: a few seconds.
inline-demo: install migrate
	$(PY) manage.py runsearch examples/synthetic.json --inline

test: install-test browser
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mkdocs build --strict --quiet
	$(PY) -m pytest -n $(TEST_PROCESSES)
	@if [ -n "$$GAWEB_TEST_DATABASE_URL" ]; then \
		echo "--- the concurrency tests again, on $$GAWEB_TEST_DATABASE_URL"; \
		DATABASE_URL="$$GAWEB_TEST_DATABASE_URL" $(PY) -m pytest -m concurrency; \
	fi

# The manual (docs/, mkdocs.yml) at http://127.0.0.1:8001/, rebuilt as its pages change.
docs: install-test
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8001

# The browser tests drive Debian's Chromium (browser downloads cannot work offline); the
# multi-host tests give hosts wrong clocks with libfaketime's faketime.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v faketime >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Chromium, ChromeDriver and faketime (Debian packages) for the browser and multi-host tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver faketime >/dev/null; \
		else \
			echo "The tests need Chromium, ChromeDriver and faketime: sudo apt-get install chromium chromium-driver faketime"; exit 1; \
		fi; \
	fi

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput -v 0

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gaweb needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

clean:
	rm -rf $(VENV) var .pytest_cache
