#!/usr/bin/env bash
# Install zmq4 wheels in an old-glibc Debian root filesystem and run the test suite there.
#
#   sudo bash wheels/test_in_chroot.sh wheels/zmq4-*-cp311-*manylinux*.whl ...
#
# What it proves: a wheel built on this machine (wheels/build.sh: zig targeting glibc 2.17,
# auditwheel manylinux2014) loads and passes the suite on a system whose C library is older
# than the build machine's, with a Python that was not built here.
#
# Steps (each one skipped when its result is already there, so re-runs take minutes):
#  1. debootstrap Debian $SUITE (default bullseye: glibc 2.31) into $ROOT, from Debian's own
#     package mirror, with a C compiler and the headers CPython needs.
#  2. The Debian release's own python3 is too old for zmq4 (bullseye: 3.9, buster: 3.7), so
#     for each wheel's Python version the upstream CPython source that Debian packages
#     (`apt-get source`: python3.11 from bookworm, python3.13 from trixie) is built inside
#     the chroot with the chroot's gcc and glibc: /opt/python3.X, --enable-shared.
#  3. For each wheel: a fresh venv in the chroot, `pip install <wheel>[test]` (the test
#     dependencies come from PyPI), the suite run from a directory holding only tests/ and
#     pyproject.toml (so zmq4 is the installed wheel), then a C program compiled with the
#     chroot's gcc against the installed headers, linked to the installed shim and run.
#
# Needs root (debootstrap, chroot, mounts). Environment:
#   SUITE   Debian release for the root filesystem (default bullseye)
#   ROOT    where it lives (default /var/tmp/zmq4-chroot/$SUITE); not removed afterwards
#   MIRROR  Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
SUITE="${SUITE:-bullseye}"
ROOT="${ROOT:-/var/tmp/zmq4-chroot/$SUITE}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
[ "$#" -ge 1 ] || { echo "usage: $0 WHEEL..." >&2; exit 2; }
for w in "$@"; do [ -f "$w" ] || { echo "no such wheel: $w" >&2; exit 2; }; done

# Upstream CPython sources as Debian packages them: Python version -> Debian release.
declare -A SOURCE_RELEASE=([3.11]=bookworm [3.13]=trixie)

if [ ! -x "$ROOT/usr/bin/gcc" ]; then
  command -v debootstrap >/dev/null || apt-get install -y debootstrap
  mkdir -p "$(dirname "$ROOT")"
  debootstrap --variant=minbase \
    --include=build-essential,pkg-config,ca-certificates,xz-utils,dpkg-dev,libssl-dev,zlib1g-dev,libffi-dev,libbz2-dev,liblzma-dev,libsqlite3-dev,uuid-dev,libreadline-dev \
    "$SUITE" "$ROOT" "$MIRROR"
fi
# The host's name resolution and CA bundle (PyPI may be reached through the host's
# TLS-inspecting proxy, whose CA only the host bundle holds).
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# debootstrap's minbase writes no /etc/hosts: without it "localhost" does not resolve
[ -s "$ROOT/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
  > "$ROOT/etc/hosts"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/zmq4-host-ca.crt"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" || true; done
}
trap cleanup EXIT
mountpoint -q "$ROOT/proc" || { mount -t proc proc "$ROOT/proc"; mounted+=("$ROOT/proc"); }
mountpoint -q "$ROOT/dev" || { mount --rbind /dev "$ROOT/dev"; mounted+=("$ROOT/dev"); }
mkdir -p "$ROOT/dev/shm"
in_root() { chroot "$ROOT" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin \
  PIP_CERT=/etc/ssl/certs/zmq4-host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 LANG=C.UTF-8 "$@"; }

echo "root filesystem: Debian $SUITE, $(in_root ldd --version | head -n 1)"

build_python() {  # $1 = 3.X
  local v="$1" rel="${SOURCE_RELEASE[$1]:-}"
  [ -x "$ROOT/opt/python$v/bin/python$v" ] && return 0
  if [ -z "$rel" ]; then
    echo "no Debian release packages the CPython $v source; known: ${!SOURCE_RELEASE[*]}" >&2
    exit 1
  fi
  echo "building CPython $v inside the chroot (source: Debian $rel's python$v package)"
  echo "deb-src $MIRROR $rel main" > "$ROOT/etc/apt/sources.list.d/zmq4-python$v-src.list"
  in_root sh -ec "
    apt-get update -qq
    rm -rf /src/python$v && mkdir -p /src/python$v && cd /src/python$v
    apt-get source -qq --download-only python$v/$rel
    tar -xf python${v}_*.orig.tar.?z
    cd Python-$v.*/
    ./configure -q --prefix=/opt/python$v --enable-shared \
      LDFLAGS=-Wl,-rpath,/opt/python$v/lib >/dev/null
    make -s -j\$(nproc) >/dev/null 2>&1
    make -s altinstall >/dev/null 2>&1
    /opt/python$v/bin/python$v -c 'import ssl, ctypes, sqlite3, lzma, bz2, zlib'"
}

[ "${PREPARE_ONLY:-0}" = 1 ] && { for v in "${!SOURCE_RELEASE[@]}"; do build_python "$v"; done; exit 0; }

status=0
for wheel in "$@"; do
  name="$(basename "$wheel")"
  tag="$(echo "$name" | sed -E 's/^zmq4-[^-]+-cp3([0-9]+)-.*/\1/')"
  v="3.$tag"
  build_python "$v"
  run="/root/zmq4-test-$v"
  rm -rf "$ROOT$run" && mkdir -p "$ROOT$run/dist"
  cp "$wheel" "$ROOT$run/dist/"
  cp -r "$here/tests" "$ROOT$run/tests"
  cp "$here/pyproject.toml" "$ROOT$run/pyproject.toml"
  echo "== $name in Debian $SUITE with /opt/python$v (built in the chroot)"
  in_root "/opt/python$v/bin/python$v" -m venv "$run/venv"
  in_root "$run/venv/bin/pip" install --quiet "$run/dist/$name[test]"
  start=$(date +%s)
  if in_root sh -c "cd $run && venv/bin/python -m pytest -q -p no:cacheprovider tests"; then
    echo "suite passed in $(($(date +%s) - start)) s: $name, Debian $SUITE, Python $v"
  else
    echo "SUITE FAILED: $name, Debian $SUITE, Python $v" >&2
    status=1
  fi
  if [ -f "$here/tests/abi/c/reqrep.c" ]; then
    in_root sh -ec "cd /tmp && cc -Wall -Werror \$($run/venv/bin/python -m zmq4 config --cflags) \
      $run/tests/abi/c/reqrep.c -o $run/reqrep \$($run/venv/bin/python -m zmq4 config --libs) \
      && env -i PATH=/usr/bin:/bin $run/reqrep" \
      && echo "C program against the installed shim: OK" \
      || { echo "C PROGRAM FAILED: $name" >&2; status=1; }
  fi
done
exit "$status"
