# 养老服务平台 — two commands on a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PEOPLE ?= 20000
export YANGLAO_DATA_DIR ?= $(CURDIR)/var
# Development explicitly: only here are missing keys generated (production refuses to start).
run demo test test-pg bench lint format: export YANGLAO_ENV ?= development

.PHONY: venv run demo serve test test-pg bench lint format check-migrations clean

venv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv
	@$(UV) sync --frozen --quiet
	@$(UV) run python tools/vendor_assets.py  # ECharts, sha512-pinned (stack-notes §5)

run: venv
	$(UV) run yanglao migrate --noinput
	$(UV) run yanglao demo --people $(DEMO_PEOPLE) --if-empty
	$(UV) run yanglao collectstatic --noinput --verbosity 0  # content-hashed, compressed
	@# The background worker (imports) and the scheduler (periodic jobs; at start-up it catches
	@# up on missed ones, e.g. today's overdue visits) live as long as the web server.
	$(UV) run yanglao worker --queue-name default & WORKER=$$!; \
	  $(UV) run yanglao scheduler & SCHEDULER=$$!; \
	  trap 'kill $$WORKER $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	  $(UV) run yanglao runserver $(HOST):$(PORT)

demo: venv
	$(UV) run yanglao migrate --noinput
	$(UV) run yanglao demo --people $(DEMO_PEOPLE)

test: venv
	$(UV) run pytest -q $(PYTEST_ARGS)

test-pg: venv
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/yanglao} $(UV) run pytest -q $(PYTEST_ARGS)

# The bench keeps its own keys (python -m bench: a fixed directory under the system temp dir)
# so that `make bench` and `python -m bench` reuse the same generated people; with ./var's
# keys the 5,550,000 people could not be decrypted and were generated again.
bench: venv
	env -u YANGLAO_DATA_DIR $(UV) run python -m bench $(BENCH_ARGS)

lint: venv
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy yanglao bench
	$(UV) run lint-imports --no-cache  # layers: an app imports only from the apps below it
	$(UV) run yanglao makemigrations --check --dry-run

format: venv
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

clean:
	rm -rf var .venv
