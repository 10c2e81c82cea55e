"""The wrong Python (issue #19, item 7): zmq4 and its shim work only in the CPython
minor version they were built for. Loaded into another one, the shim refuses at once
(calls fail with ENOSYS) and says which versions and what to do; ``import zmq4`` from
another Python says the same instead of "compiled extensions are missing"; and a C program
pointed at another version's libpython (ZMQ4_LIBPYTHON) is refused before that libpython
is started.

Each test runs twice where it can. Always against a stand-in: the code under test meets
version 3.99 through the very thing it reads, the shim's ``Py_GetVersion`` (a preloaded
one, and a stand-in libpython exporting the C-API names the shim resolves) and the CPython
tag in the compiled extensions' file names (a copy of the package whose tags say 3.99).
And against a real second CPython 3.10+ of another minor version where this machine has
one (found on PATH, under pyenv or in the manylinux images' /opt/python, or named by
$ZMQ4_OTHER_PYTHON); a fresh machine with a single Python runs the stand-in cases only.
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
    return None


#: the version a stand-in "other Python" reports (no CPython has it)
STAND_IN = "3.99"


#: a real CPython of another minor version on this machine, if there is one
_REAL_OTHER = _other_python()


@pytest.fixture(scope="module",
                params=["stand-in"] + (["real other Python"] if _REAL_OTHER else []))
def other(request: pytest.FixtureRequest) -> tuple[str, str] | None:
    """None: the test uses the stand-in for version STAND_IN (always run); else the
    (interpreter, version) of the real other CPython (run where this machine has one)."""
    return None if request.param == "stand-in" else _REAL_OTHER


def _compile_shared(source: str, out: Path) -> Path:
    c = out.with_suffix(".c")
    c.write_text(source)
    cmd = [*abi_support.compiler().split(), "-shared", "-fPIC", "-o", str(out), str(c)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stderr}"
    return out


def _stand_in_version(tmp_path: Path) -> Path:
    """A library whose ``Py_GetVersion`` says STAND_IN (preloaded into this Python)."""
    return _compile_shared(
        f'const char *Py_GetVersion (void) {{ return "{STAND_IN}.0 (stand-in)"; }}\n',
        tmp_path / "libstandinversion.so")


#: the C-API functions the shim resolves from a libpython it loads (csrc/shim.c's PY_CORE
#: and PY_EMBED lists, Py_GetVersion aside); a name missing here shows as "the Python
#: C-API function ... is missing" in the embedded test's output
_SHIM_RESOLVES = (
    "Py_IsInitialized", "PyGILState_Ensure", "PyGILState_Release",
    "PyGILState_GetThisThreadState", "PyGILState_Check", "PyEval_SaveThread",
    "PyEval_RestoreThread", "PyThreadState_Clear", "PyThreadState_DeleteCurrent",
    "PyImport_ImportModule", "PyObject_GetAttrString", "PyCapsule_GetPointer", "Py_DecRef",
    "PyErr_Print", "PyErr_Occurred", "PyErr_ExceptionMatches", "PyErr_Clear",
    "PyRun_SimpleStringFlags", "PyUnicode_AsUTF8", "PyConfig_InitPythonConfig",
    "PyConfig_SetBytesString", "PyConfig_Clear", "Py_InitializeFromConfig",
    "PyStatus_Exception", "PyOS_BeforeFork", "PyOS_AfterFork_Parent", "PyOS_AfterFork_Child",
)


def _stand_in_libpython(tmp_path: Path) -> Path:
    """A library exporting every C-API name the shim resolves from a libpython it loads,
    with ``Py_GetVersion`` saying STAND_IN; the others abort if called, which the shim
    must not do before its version check. (Built from the installed package's point of
    view: no source tree needed, as where the sdist's tests run.)"""
    source = "#include <stdlib.h>\n" + "".join(
        f"void {name} (void) {{ abort (); }}\n" for name in _SHIM_RESOLVES)
    source += f'const char *Py_GetVersion (void) {{ return "{STAND_IN}.0 (stand-in)"; }}\n'
    return _compile_shared(source, tmp_path / f"libpython{STAND_IN}.so.1.0")


def test_shim_in_another_python_says_so(other: tuple[str, str] | None,
                                        tmp_path: Path) -> None:
    env = dict(abi_support.CLEAN_ENV)
    if other is None:  # this Python, with a Py_GetVersion that says STAND_IN
        python, version = sys.executable, STAND_IN
        env["LD_PRELOAD"] = str(_stand_in_version(tmp_path))
    else:
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
                       env=env)
    assert r.returncode == 0 and r.stdout.strip() == "refused", r.stdout + r.stderr
    assert f"built for Python {BUILT}, running {version}" in r.stderr, r.stderr
    assert f"install zmq4 for Python {version}" in r.stderr
    assert r.stderr.count("built for Python") == 1
    assert "missing" not in r.stderr and "source tree" not in r.stderr


def test_import_in_another_python_says_so(other: tuple[str, str] | None,
                                          tmp_path: Path) -> None:
    pkg_parent = os.path.dirname(os.path.dirname(zmq4.__file__))
    built, running = BUILT, ""
    if other is None:
        # the other way round: this Python imports a copy of the package whose compiled
        # extensions' names say they were built for STAND_IN
        python, running = sys.executable, BUILT
        built = STAND_IN
        pkg_parent = str(tmp_path / "site")
        copy = Path(pkg_parent) / "zmq4"
        shutil.copytree(os.path.dirname(zmq4.__file__), copy,
                        ignore=shutil.ignore_patterns("__pycache__", "*.c", "lib"))
        tag = f"cpython-{sys.version_info[0]}{sys.version_info[1]}-"
        renamed = 0
        for so in copy.rglob(f"*.{tag}*.so"):
            so.rename(so.with_name(so.name.replace(tag, "cpython-399-")))
            renamed += 1
        assert renamed > 0
    else:
        python, running = other
    # -S for the copy: no site-packages, so an editable install's finder cannot supply
    # the real extensions behind the copy's back (the copy fails at its first one)
    r = subprocess.run([python, *(["-S"] if other is None else []), "-c", "import zmq4"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env=dict(abi_support.CLEAN_ENV, PYTHONPATH=pkg_parent))
    assert r.returncode != 0
    assert f"was built for Python {built}, running {running}" in r.stderr, r.stderr
    assert "Install zmq4 for this Python" in r.stderr
    assert "source tree" not in r.stderr


def test_embedded_with_another_libpython_says_so(other: tuple[str, str] | None,
                                                 c_program: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    if other is None:
        version, libpython = STAND_IN, str(_stand_in_libpython(tmp_path))
    else:
        python, version = other
        r = subprocess.run([python, "-c", "import os, sysconfig as s; print(os.path.join("
                            "s.get_config_var('LIBDIR') or '', "
                            "s.get_config_var('INSTSONAME') or ''))"],
                           capture_output=True, text=True, timeout=60)
        libpython = r.stdout.strip()
        if not os.path.isfile(libpython):
            pytest.fail(f"{python} has no shared libpython ({libpython!r})")
    env = dict(abi_support.CLEAN_ENV, ZMQ4_LIBPYTHON=libpython)
    r = abi_support.run(c_program("reqrep.c"), env=env, timeout=60)
    assert r.returncode == 1
    assert f"built for Python {BUILT}, running {version} ({libpython})" in r.stderr, r.stderr
    assert f"point ZMQ4_LIBPYTHON at a libpython{BUILT}" in r.stderr
    assert "CHECK failed: ctx (errno 38" in r.stderr
