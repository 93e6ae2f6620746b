#!/usr/bin/env bash
# Set up (virtualenv, pinned requirements, npm packages) and run every check and test.
# Extra arguments go to pytest, e.g. scripts/test.sh -k registrations -x
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-env.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts (.importlinter is the map of what may use what)"
.venv/bin/lint-imports
echo "== migrations"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "== pytest"
# Two processes (this machine has two cores); each gets its own test database and Redis database.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
