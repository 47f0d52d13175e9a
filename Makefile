# Digigov. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help demo test lint format typecheck pytest browser openapi settings-doc messages clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Digigov needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(INSTALLED) ## Start the demo on http://127.0.0.1:8000 (SQLite, test e-ID)
	$(BIN)/digigov demo

test: lint typecheck pytest ## Lint, type-check and run every test (browser tests included)

lint: $(INSTALLED) ## ruff, formatting and the module order (import-linter)
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/lint-imports

format: $(INSTALLED) ## Format the code
	$(BIN)/ruff check --fix src bench
	$(BIN)/ruff format src bench

typecheck: $(INSTALLED) ## mypy with django-stubs
	DIGIGOV_MODE=test $(BIN)/mypy src/digigov

# Independent OpenID Connect software (node, from npm) the tests run against Digigov.
INTEROP := src/digigov/identity/tests/interop
$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package-lock.json
	@if command -v npm >/dev/null; then cd $(INTEROP) && npm ci --no-audit --no-fund --silent; \
	else echo "no npm: the tests against independent OIDC software are skipped (CI fails)"; fi

pytest: $(INSTALLED) $(INTEROP)/node_modules/.package-lock.json ## Migrations check and the test suite, in parallel
	DIGIGOV_MODE=test $(BIN)/digigov makemigrations --check --dry-run
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

openapi: $(INSTALLED) ## Regenerate the committed OpenAPI schema
	DIGIGOV_MODE=test $(BIN)/digigov export_openapi_schema --api digigov.api.api --indent 2 --sorted --output docs/api/openapi.json

settings-doc: $(INSTALLED) ## Regenerate docs/settings.md from src/digigov/config.py
	DIGIGOV_MODE=test $(BIN)/digigov settings-doc > docs/settings.md

messages: $(INSTALLED) ## Update and compile the English translations
	cd src/digigov && DIGIGOV_MODE=test ../../$(BIN)/digigov makemessages -l en --no-obsolete --no-location --ignore "tests/*"
	cd src/digigov && DIGIGOV_MODE=test ../../$(BIN)/digigov compilemessages -l en

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
