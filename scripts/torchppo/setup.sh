#!/usr/bin/env bash
# Creates the pinned virtualenv .venv/torchppo (git-ignored via .venv/) for the
# CleanRL-style PyTorch PPO benchmark. Idempotent: returns at once when the venv
# was built from the current requirements.txt (a stamp records its sha256).
#
#   bash scripts/torchppo/setup.sh          # TORCHPPO_PYTHON=python3.11 to choose the interpreter
#
# Everything comes from PyPI with --require-hashes. pip's find-links (PIP_FIND_LINKS,
# pip.conf) is switched off on purpose: this machine's pip is set to look in
# /opt/wheels, which holds a torch 2.13.0+cpu wheel that is not on PyPI, and a
# local wheel must not slip into a figure that others should be able to redo.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${TORCHPPO_PYTHON:-python3}
VENV=.venv/torchppo
REQS=scripts/torchppo/requirements.txt
STAMP=$VENV/.installed
want=$(sha256sum "$REQS" | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "torchppo setup: $PY is not Python 3.11 (the pinned wheel hashes are cp311); set TORCHPPO_PYTHON" >&2; exit 1; }

# Only PyPI: no find-links from the environment or a pip.conf; keep the system CA bundle.
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_INDEX_URL PIP_NO_INDEX
export PIP_CONFIG_FILE=/dev/null
if [ -z "${PIP_CERT:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
fi

echo "torchppo setup: building $VENV (torch + CUDA runtime wheels, about 3 GB to download)" >&2
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --no-deps --only-binary=:all: -r "$REQS"

"$VENV/bin/python" - <<'PY'
import torch, gymnasium, mujoco, numpy
torch.zeros(1)
assert torch.__version__.split("+")[0] == "2.15.0", torch.__version__  # PyPI wheel says 2.15.0+cu132
assert gymnasium.__version__ == "1.4.0" and mujoco.__version__ == "3.3.7", (gymnasium.__version__, mujoco.__version__)
assert numpy.__version__ == "2.4.6", numpy.__version__
print(f"torchppo setup: torch {torch.__version__} (cuda available: {torch.cuda.is_available()}), "
      f"gymnasium {gymnasium.__version__}, mujoco {mujoco.__version__}, numpy {numpy.__version__}")
PY
echo "$want" > "$STAMP"
