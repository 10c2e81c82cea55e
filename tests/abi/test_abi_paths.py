"""``zmq4.get_include()``, ``zmq4.get_library()`` and ``python -m zmq4 config``: real paths,
and flags a C build can use as they are."""

from __future__ import annotations

import os
import subprocess
import tempfile
import sys
from pathlib import Path

import abi_support

import zmq4


def test_get_include_and_get_library() -> None:
    inc = Path(zmq4.get_include())
    assert (inc / "zmq.h").is_file() and (inc / "zmq_utils.h").is_file()
    lib = Path(zmq4.get_library())
    assert lib.is_file() and lib.name == "libzmq.so.5"
    assert lib.parent.parent == Path(zmq4.__file__).parent  # zmq4/lib/libzmq.so.5


def _config(*args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "zmq4", "config", *args], capture_output=True,
                       cwd=tempfile.gettempdir(),
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_config_flags_build_a_program(tmp_path: Path) -> None:
    flags = _config("--cflags", "--libs").split()
    assert f"-I{zmq4.get_include()}" in flags
    assert f"-L{os.path.dirname(zmq4.get_library())}" in flags
    assert "-l:libzmq.so.5" in flags
    exe = tmp_path / "reqrep"
    cc = abi_support.compiler().split()
    r = subprocess.run([*cc, "-Wall", "-Werror", f"-I{abi_support.CSRC}",
                        str(abi_support.CSRC / "reqrep.c"), "-o", str(exe), *flags],
                       capture_output=True,
                       cwd=tempfile.gettempdir(), text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    abi_support.run_ok(exe)


def test_config_single_values_and_summary() -> None:
    assert _config("--include-dir") == zmq4.get_include()
    assert _config("--library") == zmq4.get_library()
    summary = _config()
    assert zmq4.get_library() in summary and "cflags:" in summary


def test_other_commands_still_work() -> None:
    for args in (["version"], ["keygen"]):
        r = subprocess.run([sys.executable, "-m", "zmq4", *args], capture_output=True,
                       cwd=tempfile.gettempdir(),
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    assert "4.0.10" in subprocess.run([sys.executable, "-m", "zmq4", "version"],
                                      capture_output=True,
                       cwd=tempfile.gettempdir(), text=True).stdout
