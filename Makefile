# MSIP — two commands: `make demo` (everything, ending by serving) and `make test` (the suite).
# Both install what is missing first (Debian packages, .venv, the project) and start the
# project-local PostgreSQL cluster under .msip/ on 127.0.0.1:$(MSIP_PG_PORT).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
export MSIP_HOME ?= $(CURDIR)/.msip
export MSIP_PG_PORT ?= 55432
PYTEST_ARGS ?=

.PHONY: setup system-packages venv invest web demo test test-city db-start db-stop clean-data help

help:
	@echo "make demo   - set up, load the sample world, run analyses, serve API + map on 127.0.0.1"
	@echo "make test   - set up, then run the whole test suite"
	@echo "make test-city - set up, then only the district-sized world end to end (the city group)"
	@echo "make setup  - only install (Debian packages, .venv, project, natcap.invest, web map)"
	@echo "make web    - only build the web map into web/dist/ (MapLibre from npm)"

setup: system-packages venv invest web

system-packages:
	@scripts/install_system_packages.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(PY) -m pip install --quiet -e '.[test]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	@touch $@

# natcap.invest, the heat model's reference (GDAL bindings built against Debian's GDAL): once per
# .venv (a stamp; the script itself also returns early when it already imports). MSIP_INVEST=0
# skips it and leaves no stamp.
invest: $(VENV)/.invest

$(VENV)/.invest: $(VENV)/.installed scripts/install_invest.sh | system-packages
	@scripts/install_invest.sh
	@if [ "$${MSIP_INVEST:-1}" != 0 ]; then touch $@; fi

# The web map: MapLibre GL JS from the npm registry (pinned in web/package-lock.json), built
# into web/dist/ and served at /map. Rebuilt only when its inputs change (a stamp file).
WEB_SRC := $(wildcard web/src/* web/src/*/* web/src/*/*/*)

web: web/dist/.built

web/dist/.built: web/package.json web/package-lock.json web/build.mjs $(WEB_SRC) | system-packages
	cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
	@touch $@

db-start: setup
	$(VENV)/bin/msip db start

db-stop:
	-$(VENV)/bin/msip db stop

demo: setup
	$(VENV)/bin/msip demo

# Everything, the city group included: the district (the default demo world) is generated, loaded and
# analysed in a background process from the start of the session (tests/support/district.py), while the
# rest of the suite runs on the other core; the city tests run last and wait for it.
test: setup
	@scripts/run_tests.sh $(PYTEST_ARGS)

# Only the city group (the district end to end), e.g. after changing the generator.
test-city: setup
	@scripts/run_tests.sh -m city $(PYTEST_ARGS)

clean-data: db-stop
	rm -rf .msip
