#!/usr/bin/env bash
# Build zmq4's source distribution and prove it installs where only a C compiler is present.
#
#   bash wheels/test_sdist.sh                 # with python3 (or PYTHON=/path/to/python)
#
# Steps: `python -m build --sdist` from a fresh copy of the tracked files -> check what the
# sdist holds (what the build needs: setup.py, pyproject.toml, csrc/, include/, every .pyx
# and .pxd; the tests; no generated .c, no .so, no build/ or cache directories) -> a fresh
# venv, where Cython is not installed, runs `pip install <sdist>[test]` (build isolation
# fetches setuptools and Cython from PyPI; the system C compiler builds the extensions and
# the shim) -> the suite runs from the sdist's own tests/, in a directory outside any
# source tree, against the installed package -> a C program links the installed shim.
# -> wheels/zmq4-<version>.tar.gz
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet build
mkdir "$work/src"
(cd "$here" && git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/src")
"$work/tools/bin/python" -m build --sdist --outdir "$work/dist" "$work/src"
sdist="$(ls "$work"/dist/zmq4-*.tar.gz)"
echo "sdist: $(basename "$sdist"), $(du -k "$sdist" | cut -f1) KB, $(tar -tzf "$sdist" | wc -l) entries"

# -- what is inside -------------------------------------------------------------------------
tar -tzf "$sdist" | sed 's|^[^/]*/||' | sort > "$work/contents"
missing=0
for required in setup.py pyproject.toml README.md MANIFEST.in csrc/shim.c csrc/libzmq.map \
    include/zmq.h include/zmq_utils.h zmq4/__init__.py zmq4/py.typed tests/conftest.py; do
  grep -qx "$required" "$work/contents" || { echo "sdist lacks $required" >&2; missing=1; }
done
(cd "$here" && git ls-files 'zmq4/*.pyx' 'zmq4/*.pxd' 'zmq4/*.pyi' 'csrc/*' 'include/*' \
    'tests/*' '_zmq4_switch.py' 'zmq4-as-zmq.pth') \
  > "$work/needed"
while read -r f; do
  grep -qx "$f" "$work/contents" || { echo "sdist lacks $f" >&2; missing=1; }
done < "$work/needed"
if grep -E '(^|/)(build|__pycache__|\.pytest_cache|\.mypy_cache|\.hypothesis)/|\.so(\.[0-9]+)*$|\.o$|^zmq4/.*\.c$|\.whl$' \
    "$work/contents"; then
  echo "sdist carries build outputs or caches (listed above)" >&2
  missing=1
fi
[ "$missing" = 0 ] || exit 1
echo "sdist contents: OK ($(grep -c '\.pyx$' "$work/contents") .pyx, $(grep -c '\.pxd$' "$work/contents") .pxd)"

# -- install it where Cython is not ---------------------------------------------------------
"$PYTHON" -m venv "$work/venv"
if "$work/venv/bin/python" -c 'import Cython' 2>/dev/null; then
  echo "the fresh venv already has Cython: not a test of the sdist's build requirements" >&2
  exit 1
fi
start=$(date +%s)
"$work/venv/bin/pip" install --quiet "$sdist[test]"
echo "pip install of the sdist (isolated build, Cython from PyPI): $(($(date +%s) - start)) s"

# -- the suite, from the sdist's tests, outside any source tree -----------------------------
mkdir "$work/unpacked" "$work/run"
tar -xzf "$sdist" -C "$work/unpacked"
root="$(ls -d "$work"/unpacked/zmq4-*)"
cp -r "$root/tests" "$root/pyproject.toml" "$work/run/"
(cd "$work/run" && "$work/venv/bin/python" -c 'import zmq4, sys; print("zmq4 from", zmq4.__file__)'
 cd "$work/run" && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests)
(
  cd "$work/run"
  cc -Wall -Werror $("$work/venv/bin/python" -m zmq4 config --cflags) \
    "$root/tests/abi/c/reqrep.c" -o "$work/reqrep" $("$work/venv/bin/python" -m zmq4 config --libs)
  env -i PATH="$PATH" "$work/reqrep"
)
cp "$sdist" "$here/wheels/"
echo "sdist OK: $here/wheels/$(basename "$sdist")"
