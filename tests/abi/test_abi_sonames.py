"""Both library names (issue #19, item 6): libzmq 4.0's SONAME was ``libzmq.so.4``, 4.1+'s
is ``libzmq.so.5``. The shim is ``zmq4/lib/libzmq.so.5``; beside it ``libzmq.so.4`` is a
small ELF filter (SONAME libzmq.so.4, DT_FILTER libzmq.so.5, RUNPATH $ORIGIN) declaring
the same symbols, which the loader resolves in libzmq.so.5. A binary linked against either
name runs on the one shim: one built against a real libzmq 4.0 (here: linked against a
stand-in library that only has 4.0's SONAME and symbols), one linked against the filter
itself, and ctypes loading it by path.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path

import abi_support
import pytest

import zmq4

ALIAS = "libzmq.so.4"


def alias_path() -> str:
    return os.path.join(os.path.dirname(abi_support.shim_path()), ALIAS)


def _dynamic(path: str) -> str:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.fail("readelf (binutils) is needed to inspect the libraries")
    return subprocess.run([readelf, "-d", "-W", path], capture_output=True, text=True,
                          check=True).stdout


def _needed(path: Path) -> set[str]:
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _dynamic(str(path))))


def test_the_alias_is_a_filter_of_the_shim() -> None:
    dyn = _dynamic(alias_path())
    assert re.search(r"\(SONAME\)\s+Library soname: \[libzmq\.so\.4\]", dyn)
    assert re.search(r"\(FILTER\)\s+Filter library: \[libzmq\.so\.5\]", dyn)
    assert re.search(r"\(RUNPATH\)\s+Library runpath: \[\$ORIGIN\]", dyn)
    assert abi_support.exported_symbols(alias_path()) == abi_support.header_functions()
    assert os.path.getsize(alias_path()) < 32 * 1024


def _stand_in_libzmq40(tmp_path: Path) -> Path:
    """A library with libzmq 4.0's SONAME and symbols, to link against as if it were the
    real one (its functions never run: the program runs on zmq4's libzmq.so.4)."""
    src = tmp_path / "libzmq40.c"
    src.write_text("".join(f"void {name} (void) {{}}\n"
                           for name in sorted(abi_support.header_functions())))
    libdir = tmp_path / "libzmq-4.0"
    libdir.mkdir()
    lib = libdir / ALIAS
    cc = abi_support.compiler().split()
    r = subprocess.run([*cc, "-shared", "-fPIC", str(src), "-o", str(lib),
                        f"-Wl,-soname,{ALIAS}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return libdir


@pytest.mark.parametrize("how", ["built-for-4.0", "linked-to-the-filter", "linked-to-the-shim"])
def test_a_program_linked_by_each_name_runs(tmp_path: Path, how: str) -> None:
    if how == "built-for-4.0":
        exe = abi_support.build(abi_support.CSRC / "reqrep.c", tmp_path, library=ALIAS,
                                link_dir=str(_stand_in_libzmq40(tmp_path)), name=how)
        assert ALIAS in _needed(exe)
    elif how == "linked-to-the-filter":
        exe = abi_support.build(abi_support.CSRC / "reqrep.c", tmp_path, library=ALIAS,
                                name=how)
        assert ALIAS in _needed(exe)
    else:
        exe = abi_support.build(abi_support.CSRC / "reqrep.c", tmp_path, name=how)
        assert "libzmq.so.5" in _needed(exe)
    r = abi_support.run_ok(exe, "tcp", env=dict(abi_support.CLEAN_ENV, LD_DEBUG="bindings"))
    # every zmq_* binding of the program goes to the shim itself
    bound = re.findall(r"binding file \S+ \[0\] to (\S+) \[0\]: normal symbol `(zmq_\w+)'",
                       r.stderr)
    assert bound and {lib for lib, _ in bound} == {abi_support.shim_path()}, bound[:5]


def test_ctypes_loads_either_name() -> None:
    for path in (alias_path(), zmq4.get_library()):
        lib = ctypes.CDLL(path)
        major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        lib.zmq_version(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
        assert (major.value, minor.value) == (4, 0)
        lib.zmq_ctx_new.restype = ctypes.c_void_p
        lib.zmq_ctx_term.argtypes = [ctypes.c_void_p]
        ctx = lib.zmq_ctx_new()
        assert ctx and ctypes.c_uint32.from_address(ctx).value == 0xABADCAFE
        assert lib.zmq_ctx_term(ctx) == 0
