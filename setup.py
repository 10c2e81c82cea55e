"""Build script: cythonizes every ``.pyx`` (and ``.py`` with a ``.pxd`` beside it) under zmq4/,
and builds the C-ABI shim ``zmq4/lib/libzmq.so.5`` from ``csrc/``, with ``libzmq.so.4``
beside it (a filter library: libzmq 4.0's SONAME, for binaries linked against a real 4.0).

Kept small on purpose: metadata lives in pyproject.toml. New Cython modules are picked up by
the glob, so adding one needs no change here.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sys
import sysconfig

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext
from setuptools.command.build_py import build_py as _build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def _module(path: str) -> str:
    return os.path.splitext(path)[0].replace(os.sep, ".")


def extensions() -> list[Extension]:
    os.chdir(HERE)
    sources = sorted(glob.glob("zmq4/**/*.pyx", recursive=True))
    # Cython pure-Python mode: a .py with an augmenting .pxd beside it is compiled too.
    for pxd in sorted(glob.glob("zmq4/**/*.pxd", recursive=True)):
        py = pxd[:-4] + ".py"
        if os.path.exists(py):
            sources.append(py)
    # Debug info keeps the build directory (DW_AT_comp_dir); map it to "." so no
    # build-machine path ships in a wheel (wheels/build.sh checks this).
    flags = ["-O2", f"-ffile-prefix-map={HERE}=."]
    exts = [Extension(_module(src), [src], extra_compile_args=flags) for src in sources]
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "embedsignature": True,
        },
        quiet=True,
    )


SHIM = "zmq4.lib.libzmq"
SHIM_FILE = "libzmq.so.5"
# libzmq 4.0's SONAME; 4.1+ (and the shim itself) have libzmq.so.5
ALIAS_FILE = "libzmq.so.4"


def shim_extension() -> Extension:
    """The shim is a plain C shared library, not a Python module (see ShimBuildExt)."""
    return Extension(
        SHIM,
        sources=["csrc/shim.c", "csrc/msg.c", "csrc/utils.c"],
        depends=["csrc/zmq4_cabi.h", "csrc/zmq4_fast.h", "csrc/zmq4_msg.h", "csrc/libzmq.map",
                 "include/zmq.h", "include/zmq_utils.h"],
    )


def _header_functions() -> list[str]:
    """Every function the headers export (ZMQ_EXPORT): the shim's symbols."""
    names: set[str] = set()
    for header in ("zmq.h", "zmq_utils.h"):
        with open(os.path.join(HERE, "include", header)) as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        names.update(re.findall(r"ZMQ_EXPORT\s+[^;(]*?\b(zmq_\w+)\s*\(", text, flags=re.S))
    return sorted(names)


def _libpython_soname() -> str:
    soname = sysconfig.get_config_var("INSTSONAME") or ""
    if ".so" not in soname:  # a static-only Python names its .a here
        ver = sysconfig.get_config_var("LDVERSION") or sysconfig.get_python_version()
        soname = f"libpython{ver}.so.1.0"
    return soname


class ShimBuildExt(_build_ext):
    """build_ext that also builds the shim with its own flags: hidden visibility plus an
    export map (only zmq_* is exported), SONAME libzmq.so.5, ``-z defs`` (no libpython
    in DT_NEEDED, no undefined Py* symbol: Python is found at run time), no rpath.

    In-place (editable) builds bake the building interpreter's paths into the shim as
    hints for embedded mode (the source tree says nothing about which Python to start);
    wheel builds bake no build-machine path and ship include/ as zmq4/include/."""

    def run(self) -> None:
        self._zmq4_inplace = bool(self.inplace or getattr(self, "editable_mode", False))
        os.makedirs(os.path.join(HERE, "zmq4", "lib"), exist_ok=True)
        super().run()
        if self._zmq4_inplace:
            # setuptools copies the extensions' own files into the tree; the alias too
            alias = os.path.join(self.build_lib, "zmq4", "lib", ALIAS_FILE)
            if os.path.exists(alias):
                shutil.copy2(alias, os.path.join(HERE, "zmq4", "lib", ALIAS_FILE))
        else:
            dest = os.path.join(self.build_lib, "zmq4", "include")
            os.makedirs(dest, exist_ok=True)
            for header in ("zmq.h", "zmq_utils.h"):
                shutil.copy2(os.path.join(HERE, "include", header), dest)

    def get_ext_filename(self, fullname: str) -> str:
        # called with the full name and with its last component alone
        if fullname in (SHIM, SHIM.rsplit(".", 1)[1]):
            return os.path.join(*fullname.split(".")[:-1], SHIM_FILE)
        return super().get_ext_filename(fullname)

    def build_extension(self, ext: Extension) -> None:
        if ext.name != SHIM:
            super().build_extension(ext)
            return
        inplace = getattr(self, "_zmq4_inplace", False)
        macros = [("ZMQ4_LIBPYTHON_SONAME", f'"{_libpython_soname()}"')]
        if inplace:
            macros.append(("ZMQ4_BUILD_PYTHON", f'"{sys.executable}"'))
            libpython = os.path.join(sysconfig.get_config_var("LIBDIR") or "",
                                     _libpython_soname())
            if os.path.exists(libpython):
                macros.append(("ZMQ4_BUILD_LIBPYTHON", f'"{libpython}"'))
        temp = os.path.join(self.build_temp, "shim-inplace" if inplace else "shim")
        objects = self.compiler.compile(
            ext.sources, output_dir=temp, macros=macros,
            include_dirs=[sysconfig.get_path("include"), sysconfig.get_path("platinclude")],
            extra_postargs=["-fvisibility=hidden", "-O2", "-g0", "-Wall",
                            "-Wno-format-truncation"],
            depends=ext.depends)
        out = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        cc = self.compiler.compiler_so[0]
        export_map = os.path.join(HERE, "csrc", "libzmq.map")
        self.spawn([cc, "-shared", *objects, "-o", out, f"-Wl,-soname,{SHIM_FILE}",
                    "-Wl,-z,defs", f"-Wl,--version-script={export_map}", "-ldl", "-lpthread"])
        self._build_alias(os.path.join(os.path.dirname(out), ALIAS_FILE), temp)

    def _build_alias(self, out: str, temp: str) -> None:
        """``libzmq.so.4`` beside the shim, for binaries linked against libzmq 4.0 (whose
        SONAME it has); wheels cannot hold a symlink. It is an ELF filter (DT_FILTER
        libzmq.so.5, found through RUNPATH $ORIGIN): it declares the same symbols, and
        glibc's loader resolves every one of them in libzmq.so.5, so a process has one
        shim whichever name it loaded (about 10 KB; a second copy of the shim would be
        45 KB with state of its own). Its own function bodies only run under a loader
        that ignores DT_FILTER (musl: no musllinux wheels), and then they say so."""
        src = os.path.join(temp, "libzmq4_filter.c")
        os.makedirs(temp, exist_ok=True)
        with open(src, "w") as f:
            f.write("/* generated by setup.py: see ShimBuildExt._build_alias */\n"
                    "#include <stdio.h>\n#include <stdlib.h>\n"
                    "static void unfiltered (const char *name)\n{\n"
                    '    fprintf (stderr, "zmq4: %s called in libzmq.so.4 itself: this "\n'
                    '             "loader ignores DT_FILTER; link libzmq.so.5\\n", name);\n'
                    "    abort ();\n}\n")
            for name in _header_functions():
                f.write(f'void {name} (void) {{ unfiltered ("{name}"); }}\n')
        objects = self.compiler.compile([src], output_dir=None,  # the .o beside the .c
                                        extra_postargs=["-fvisibility=default", "-O2", "-g0"])
        cc = self.compiler.compiler_so[0]
        self.spawn([cc, "-shared", *objects, "-o", out, f"-Wl,-soname,{ALIAS_FILE}",
                    f"-Wl,--filter={SHIM_FILE}", "-Wl,-rpath,$ORIGIN", "-Wl,-z,defs",
                    "-Wl,-s", "-Wl,-z,noseparate-code"])

    def get_outputs(self) -> list[str]:
        outputs = super().get_outputs()
        shim = self.get_ext_fullpath(SHIM)
        if shim in outputs:
            outputs.append(os.path.join(os.path.dirname(shim), ALIAS_FILE))
        return outputs


#: The switch's start-up hook (see _zmq4_switch.py): installed at the top of site-packages,
#: where Python's ``site`` runs it at every interpreter start.
PTH_FILE = "zmq4-as-zmq.pth"


class BuildPyWithPth(_build_py):
    """build_py that also puts the switch's ``.pth`` hook at the root of the build (and so
    of the wheel, i.e. site-packages). setuptools has no declarative way to ship a file
    outside a package."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            self.copy_file(os.path.join(HERE, PTH_FILE), os.path.join(self.build_lib, PTH_FILE))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs.append(os.path.join(self.build_lib, PTH_FILE))
        return outputs


cmdclass: dict[str, type] = {"build_ext": ShimBuildExt, "build_py": BuildPyWithPth}

try:
    from setuptools.command.editable_wheel import editable_wheel as _editable_wheel
except ImportError:  # pragma: no cover - setuptools without PEP 660 support
    pass
else:

    class EditableWheelWithPth(_editable_wheel):
        """``pip install -e .`` ships the ``.pth`` hook too: every file of the directory
        this step fills ends up at the root of the editable wheel."""

        def _install_namespaces(self, installation_dir: str, pth_prefix: str) -> None:
            super()._install_namespaces(installation_dir, pth_prefix)
            shutil.copy(os.path.join(HERE, PTH_FILE), os.path.join(installation_dir, PTH_FILE))

    cmdclass["editable_wheel"] = EditableWheelWithPth


setup(ext_modules=extensions() + [shim_extension()], cmdclass=cmdclass)
