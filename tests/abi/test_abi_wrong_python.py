"""The wrong Python (issue #19, item 7): zmq4 and its shim work only in the CPython
minor version they were built for. Loaded into another one, the shim refuses at once
(calls fail with ENOSYS) and says which versions and what to do; ``import zmq4`` from
another Python says the same instead of "compiled extensions are missing"; and a C program
pointed at another version's libpython (ZMQ4_LIBPYTHON) is refused before that libpython
is started.

Needs a second CPython 3.10+ of another minor version: found on PATH, under pyenv or in
the manylinux images' /opt/python, or named by $ZMQ4_OTHER_PYTHON.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import abi_support
import pytest

import zmq4

BUILT = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _version_of(python: str) -> str:
    r = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                       capture_output=True, text=True, timeout=60)
    return r.stdout.strip() if r.returncode == 0 else ""


def _other_python() -> tuple[str, str]:
    candidates = [os.environ.get("ZMQ4_OTHER_PYTHON", "")]
    for minor in range(10, 16):
        candidates.append(shutil.which(f"python3.{minor}") or "")
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    candidates += sorted(glob.glob("/opt/python/cp3*-cp3*/bin/python3"))
    for python in candidates:
        if not python or not os.access(python, os.X_OK):
            continue
        version = _version_of(python)
        if version and version != BUILT and tuple(map(int, version.split("."))) >= (3, 10):
            return python, version
    pytest.fail(f"no CPython 3.10+ other than {BUILT} found: these tests need one "
                "(set ZMQ4_OTHER_PYTHON)")


@pytest.fixture(scope="module")
def other() -> tuple[str, str]:
    return _other_python()


def test_shim_in_another_python_says_so(other: tuple[str, str]) -> None:
    python, version = other
    code = textwrap.dedent(f"""\
        import ctypes, errno
        lib = ctypes.CDLL({zmq4.get_library()!r}, use_errno=True)
        lib.zmq_ctx_new.restype = ctypes.c_void_p
        assert lib.zmq_ctx_new() is None
        assert lib.zmq_errno() == errno.ENOSYS, lib.zmq_errno()
        lib.zmq_socket.restype = ctypes.c_void_p
        assert lib.zmq_socket(None, 0) is None  # still refused, and said only once
        print("refused")
    """)
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120,
                       env=dict(abi_support.CLEAN_ENV))
    assert r.returncode == 0 and r.stdout.strip() == "refused", r.stdout + r.stderr
    assert f"built for Python {BUILT}, running {version}" in r.stderr, r.stderr
    assert f"install zmq4 for Python {version}" in r.stderr
    assert r.stderr.count("built for Python") == 1
    assert "missing" not in r.stderr and "source tree" not in r.stderr


def test_import_in_another_python_says_so(other: tuple[str, str], tmp_path: Path) -> None:
    python, version = other
    pkg_parent = os.path.dirname(os.path.dirname(zmq4.__file__))
    r = subprocess.run([python, "-c", "import zmq4"], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path,
                       env=dict(abi_support.CLEAN_ENV, PYTHONPATH=pkg_parent))
    assert r.returncode != 0
    assert f"was built for Python {BUILT}, running {version}" in r.stderr, r.stderr
    assert "Install zmq4 for this Python" in r.stderr
    assert "source tree" not in r.stderr


def test_embedded_with_another_libpython_says_so(other: tuple[str, str],
                                                 c_program: Callable[..., Path]) -> None:
    python, version = other
    r = subprocess.run([python, "-c", "import os, sysconfig as s; print(os.path.join("
                        "s.get_config_var('LIBDIR') or '', s.get_config_var('INSTSONAME') "
                        "or ''))"], capture_output=True, text=True, timeout=60)
    libpython = r.stdout.strip()
    if not os.path.isfile(libpython):
        pytest.fail(f"{python} has no shared libpython ({libpython!r})")
    env = dict(abi_support.CLEAN_ENV, ZMQ4_LIBPYTHON=libpython)
    r = abi_support.run(c_program("reqrep.c"), env=env, timeout=60)
    assert r.returncode == 1
    assert f"built for Python {BUILT}, running {version} ({libpython})" in r.stderr, r.stderr
    assert f"point ZMQ4_LIBPYTHON at a libpython{BUILT}" in r.stderr
    assert "CHECK failed: ctx (errno 38" in r.stderr
