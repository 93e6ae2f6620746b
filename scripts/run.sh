#!/usr/bin/env bash
# Set up and serve Crossroads on the embedded default: SQLite, eager Celery, console e-mail, demo data.
# ADDRPORT (default 127.0.0.1:8000) is where it serves; links in e-mails, feeds and certificates follow
# it unless SITE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export ADDRPORT="${ADDRPORT:-127.0.0.1:8000}"
echo "== [1/4] checking the virtualenv and packages (.venv, requirements.txt, node_modules)"
source scripts/setup-env.sh
echo "== [2/4] migrating the database"
.venv/bin/python manage.py migrate --no-input
echo "== [3/4] loading the demo data (seed_demo: each step is listed)"
.venv/bin/python manage.py seed_demo
echo "== [4/4] serving on http://${ADDRPORT} (Ctrl-C stops)"
exec .venv/bin/python manage.py runserver "${ADDRPORT}"
