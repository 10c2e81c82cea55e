"""The shim's binary interface: exactly the functions of include/zmq.h + zmq_utils.h are
exported (``nm -D --defined-only``), under SONAME libzmq.so.5, with no libpython in
DT_NEEDED, no undefined Py* symbol and no rpath (Python is found at run time), and the
Cython bridge's function table has the version the shim expects."""

from __future__ import annotations

import re
import shutil
import subprocess

import abi_support
import pytest


def _dynamic(path: str) -> str:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.fail("readelf (binutils) is needed to inspect the shim")
    return subprocess.run([readelf, "-d", "-W", path], capture_output=True, text=True,
                          check=True).stdout


def test_header_declares_the_52_functions() -> None:
    assert len(abi_support.header_functions()) == 52


def test_exported_symbols_equal_header_functions() -> None:
    exported = abi_support.exported_symbols(abi_support.shim_path())
    declared = abi_support.header_functions()
    assert exported - declared == set(), "exported but not in zmq.h/zmq_utils.h"
    assert declared - exported == set(), "declared in the headers but not exported"


def test_soname_needed_and_no_rpath() -> None:
    dyn = _dynamic(abi_support.shim_path())
    assert re.search(r"\(SONAME\)\s+Library soname: \[libzmq\.so\.5\]", dyn)
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn))
    assert not any("python" in n for n in needed), needed
    assert needed <= {"libc.so.6", "libdl.so.2", "libpthread.so.0",
                      "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}, needed
    assert "RPATH" not in dyn and "RUNPATH" not in dyn


def test_no_undefined_python_symbols() -> None:
    out = subprocess.run(["nm", "-D", "--undefined-only", abi_support.shim_path()],
                         capture_output=True, text=True, check=True).stdout
    undefined = {line.split()[-1] for line in out.splitlines() if line.split()}
    assert not {u for u in undefined if u.startswith(("Py", "_Py"))}


def test_bridge_table_version() -> None:
    import zmq4._cabi as cabi

    header = (abi_support.HERE.parents[1] / "csrc" / "zmq4_cabi.h")
    if header.exists():  # a checkout; an installed wheel has no csrc/
        version = re.search(r"#define ZMQ4_CABI_VERSION (\d+)", header.read_text())
        assert version and int(version.group(1)) == cabi.CABI_VERSION
    assert type(cabi._C_API).__name__ == "PyCapsule"
