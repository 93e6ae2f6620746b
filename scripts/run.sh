#!/usr/bin/env bash
# Set up and serve Crossroads on the embedded default: SQLite, eager Celery, console e-mail, demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-env.sh
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo
echo "== serving on http://${ADDRPORT:-127.0.0.1:8000} (Ctrl-C stops)"
exec .venv/bin/python manage.py runserver "${ADDRPORT:-127.0.0.1:8000}"
