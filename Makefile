# Switchboard: `make help` lists the targets. Every target bootstraps .venv on its own.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create or update .venv from the pinned constraints

run: $(STAMP) ## Start the offline demo: embedded PostgreSQL + OpenBao + provider simulator (SSO=1: and an OpenID provider)
	$(BIN)/switchboard run --demo --migrate $(if $(SSO),--sso)

test: $(STAMP) browser ## Lint, then run every test (real PostgreSQL, OpenBao, simulator, Chromium)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff and mypy (strict on workspace/, adapters/ and switchboard/)
	$(BIN)/ruff check workspace adapters switchboard tests bench migrations
	$(BIN)/ruff format --check workspace adapters switchboard tests bench migrations
	$(BIN)/mypy

fmt: $(STAMP) ## Format and autofix
	$(BIN)/ruff format workspace adapters switchboard tests bench migrations
	$(BIN)/ruff check --fix workspace adapters switchboard tests bench migrations

bench: $(STAMP) ## Run the benchmarks under bench/ (prints figures)
	$(BIN)/python -m bench

browser: ## Install Debian's Chromium for the browser tests when it is missing
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

IMAGE ?= switchboard:$(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
image: ## Build the container image (Containerfile) with podman, or docker when its daemon answers
	@if command -v podman >/dev/null 2>&1; then builder=podman; \
	elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then builder=docker; \
	else echo "make image: no container builder here (podman is not installed and no docker daemon answers); build on a machine that has one" >&2; exit 2; fi; \
	$$builder build --file Containerfile --tag $(IMAGE) \
		--build-arg VERSION=$(lastword $(subst :, ,$(IMAGE))) \
		--build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
		--build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) \
		--build-arg SOURCE=$$(git remote get-url origin 2>/dev/null || echo unknown) .

errors-doc: $(STAMP) ## Regenerate docs/errors.md from the error catalogue
	$(BIN)/python -m workspace.errors > docs/errors.md

lock: ## Re-pin constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

.PHONY: help venv run test lint fmt bench browser image errors-doc lock
