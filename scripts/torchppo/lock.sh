#!/usr/bin/env bash
# Regenerates scripts/torchppo/requirements.txt (exact pins + sha256 of the PyPI wheels)
# by a dry-run resolve in a throw-away venv. Run with the Python 3.11 that setup.sh uses.
#   bash scripts/torchppo/lock.sh [torch version, default 2.15.0]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${TORCHPPO_PYTHON:-python3}
TORCH=${1:-2.15.0}
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_INDEX_URL PIP_NO_INDEX
export PIP_CONFIG_FILE=/dev/null
[ -n "${PIP_CERT:-}" ] || { [ -f /etc/ssl/certs/ca-certificates.crt ] && export PIP_CERT=/etc/ssl/certs/ca-certificates.crt; } || true
work=$(mktemp -d "${TMPDIR:-/tmp}/torchppo-lock.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$PY" -m venv "$work/venv"
printf '%s\n' "torch==$TORCH" "gymnasium[mujoco]==1.4.0" "mujoco==3.3.7" "numpy==2.4.6" > "$work/in.txt"
# hold the Gymnasium stack to the parity venv's pins
grep -E '^[A-Za-z0-9_.-]+==' scripts/parity/requirements.txt | sed 's/ .*//' > "$work/cons.txt"
"$work/venv/bin/python" -m pip install --quiet --dry-run --ignore-installed --only-binary=:all: \
  --report "$work/report.json" -r "$work/in.txt" -c "$work/cons.txt"
"$work/venv/bin/python" - "$work/report.json" "$TORCH" > scripts/torchppo/requirements.txt <<'PY'
import json, re, sys
report, torch = sys.argv[1], sys.argv[2]
print(f"""# Pinned Python environment for the CleanRL-style PyTorch PPO benchmark.
# Resolved by pip for CPython 3.11 on Linux x86_64 (manylinux) from PyPI for
#   torch=={torch} gymnasium[mujoco]==1.4.0 mujoco==3.3.7 numpy==2.4.6
# with the Gymnasium stack held to scripts/parity/requirements.txt's pins.
# PyPI's Linux x86_64 torch wheel is the CUDA build: it does not import without
# the nvidia-* / cuda-* wheels below, so they are installed although only the CPU is used.
# Install with scripts/torchppo/setup.sh; regenerate with scripts/torchppo/lock.sh.""")
rows = []
for i in json.load(open(report))["install"]:
    m, d = i["metadata"], i["download_info"]
    rows.append((re.sub(r"[-_.]+", "-", m["name"]).lower(), m["version"],
                 d["archive_info"]["hash"].replace("=", ":", 1)))
for n, v, h in sorted(rows):
    print(f"{n}=={v} \\\n    --hash={h}")
PY
echo "lock: wrote scripts/torchppo/requirements.txt" >&2
