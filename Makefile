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

.PHONY: setup system-packages venv demo test db-start db-stop clean-data help

help:
	@echo "make demo   - set up, load the sample world, run analyses, serve API + map on 127.0.0.1"
	@echo "make test   - set up, then run the whole test suite"
	@echo "make setup  - only install (Debian packages, .venv, project)"

setup: system-packages venv

system-packages:
	@scripts/install_system_packages.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(PY) -m pip install --quiet -e '.[test]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	@touch $@

db-start: setup
	$(VENV)/bin/msip db start

db-stop:
	-$(VENV)/bin/msip db stop

demo: setup
	$(VENV)/bin/msip demo

test: setup
	@scripts/run_tests.sh $(PYTEST_ARGS)

clean-data: db-stop
	rm -rf .msip
