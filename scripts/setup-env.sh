# Sourced by scripts/test.sh and scripts/run.sh: a virtualenv with the pinned requirements,
# and the npm packages (axe-core for the browser tests, front-end libraries for static/).
PYTHON=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.requirements.stamp ] || [ requirements.txt -nt .venv/.requirements.stamp ]; then
  echo "== installing requirements"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/.requirements.stamp
fi
if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; }; then
  echo "== installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
