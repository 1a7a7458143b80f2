#!/usr/bin/env bash
# Fetches the pinned MuJoCo and Gymnasium wheels, checks their sha256 and
# unpacks what Repro needs into .deps/ (lib, include, assets).
# Idempotent: returns at once when .deps/ is complete for these pins.
set -euo pipefail
cd "$(dirname "$0")/.."

MUJOCO_WHEEL="mujoco-3.3.7-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
MUJOCO_SHA256="9371506f0df2d82152685fc8d38465843abcea8d371745ea7c125001e8f3f2d8"
GYM_WHEEL="gymnasium-1.4.0-py3-none-any.whl"
GYM_SHA256="1cb947c59e7c72d8eabb2c2274c00cd20948e69f8452a9ef4092223be24fdf0e"
STAMP="$MUJOCO_SHA256 $GYM_SHA256"

DEPS=.deps
if [ -f "$DEPS/.complete" ] && [ "$(cat "$DEPS/.complete")" = "$STAMP" ]; then
  exit 0
fi

die() { echo "deps: $*" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || die "python3 not found; install Python 3 with pip (apt-get install python3 python3-pip) and run 'make deps' again"
python3 -m pip --version >/dev/null 2>&1 || die "pip not found for python3; install it (apt-get install python3-pip) and run 'make deps' again"
python3 -c 'import zipfile' 2>/dev/null || die "python3 lacks zipfile"

work=$(mktemp -d "${TMPDIR:-/tmp}/repro-deps.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "deps: downloading mujoco==3.3.7 and gymnasium==1.4.0 wheels (about 7 MB)" >&2
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
     --implementation cp --platform manylinux_2_28_x86_64 -d "$work/wheels" \
     mujoco==3.3.7 gymnasium==1.4.0 >"$work/pip.log" 2>&1; then
  tail -n 5 "$work/pip.log" >&2
  die "pip download failed (is PyPI reachable?); fix the network and run 'make deps' again"
fi

check() {
  local f="$work/wheels/$1" want="$2"
  [ -f "$f" ] || die "expected wheel $1 was not downloaded; the pins in scripts/deps.sh may be stale"
  local got; got=$(sha256sum "$f" | cut -d' ' -f1)
  [ "$got" = "$want" ] || die "sha256 mismatch for $1: got $got, pinned $want; refusing to unpack"
}
check "$MUJOCO_WHEEL" "$MUJOCO_SHA256"
check "$GYM_WHEEL" "$GYM_SHA256"

stage="$work/stage"
mkdir -p "$stage/lib" "$stage/include" "$stage/assets"
python3 - "$work/wheels/$MUJOCO_WHEEL" "$work/wheels/$GYM_WHEEL" "$stage" <<'PY'
import sys, zipfile, os, shutil
mj, gym, stage = sys.argv[1:4]
with zipfile.ZipFile(mj) as z:
    for n in z.namelist():
        if n == "mujoco/libmujoco.so.3.3.7":
            with z.open(n) as s, open(os.path.join(stage, "lib", "libmujoco.so.3.3.7"), "wb") as d:
                shutil.copyfileobj(s, d)
        elif n.startswith("mujoco/include/mujoco/") and n.endswith(".h"):
            dst = os.path.join(stage, "include", "mujoco", os.path.basename(n))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with z.open(n) as s, open(dst, "wb") as d:
                shutil.copyfileobj(s, d)
with zipfile.ZipFile(gym) as z:
    for n in z.namelist():
        if n.startswith("gymnasium/envs/mujoco/assets/") and n.endswith(".xml"):
            with z.open(n) as s, open(os.path.join(stage, "assets", os.path.basename(n)), "wb") as d:
                shutil.copyfileobj(s, d)
PY
[ -f "$stage/lib/libmujoco.so.3.3.7" ] || die "libmujoco.so.3.3.7 not found in the mujoco wheel"
[ -f "$stage/include/mujoco/mujoco.h" ] || die "mujoco headers not found in the mujoco wheel"
for m in ant.xml half_cheetah.xml hopper.xml humanoid.xml humanoidstandup.xml inverted_double_pendulum.xml \
         inverted_pendulum.xml pusher.xml pusher_v5.xml reacher.xml swimmer.xml walker2d.xml walker2d_v5.xml; do
  [ -f "$stage/assets/$m" ] || die "$m not found in the gymnasium wheel"
done
chmod 755 "$stage/lib/libmujoco.so.3.3.7"
ln -s libmujoco.so.3.3.7 "$stage/lib/libmujoco.so"
echo "$STAMP" > "$stage/.complete"

# Swap in atomically: the old .deps (if any) goes away only once the new one is whole.
rm -rf "$DEPS.old"
[ -e "$DEPS" ] && mv "$DEPS" "$DEPS.old"
mv "$stage" "$DEPS"
rm -rf "$DEPS.old"
echo "deps: ready in $DEPS/ (lib, include, assets)" >&2
