"""The switch (``_zmq4_switch``, ``python -m zmq4.run``, ``ZMQ4_AS_ZMQ=1``): unmodified
pyzmq programs get zmq4's modules, in the process and in its children; without it
``import zmq`` is pyzmq; a ``zmq.X`` zmq4 lacks fails instead of falling back.

Every case runs in a fresh interpreter: pyzmq is imported by other tests of this process,
and the switch refuses to mix the two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import _zmq4_switch

PTH = Path(_zmq4_switch.__file__).with_name(_zmq4_switch.PTH_NAME)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != _zmq4_switch.ENV_VAR}
    env.update(extra)
    return env


def _run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, *args], env=_env() if env is None else env,
                            cwd=cwd or tempfile.gettempdir(),
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


PROBE = textwrap.dedent("""
    import json, os, subprocess, sys
    import zmq
    import zmq.error, zmq.utils.monitor, zmq.devices
    import zmq.utils.z85
    import zmq4
    pairs = ["", ".error", ".utils", ".utils.monitor", ".devices", ".utils.z85"]
    same = all(sys.modules["zmq" + p] is sys.modules["zmq4" + p] for p in pairs)
    try:
        import zmq.no_such_module
        missing = None
    except ModuleNotFoundError as e:
        missing = [e.name, str(e)]
    child = subprocess.run([sys.executable, "-c",
                            "import zmq, zmq4; print(zmq is zmq4)"],
                           capture_output=True, text=True)
    print(json.dumps({
        "same": same, "is_zmq4": zmq is zmq4, "again": zmq.error.Again is zmq4.Again,
        "spec": zmq.error.__spec__.name, "main": __name__, "argv": sys.argv,
        "path0": sys.path[0], "env": os.environ.get("ZMQ4_AS_ZMQ"),
        "missing": missing, "pyzmq_loaded": [m for m, v in sys.modules.items()
            if "site-packages/zmq/" in (getattr(v, "__file__", None) or "")],
        "child": child.stdout.strip(), "child_err": child.stderr[-500:],
    }))
""")


def _probe_result(out: str) -> dict[str, object]:
    import json

    line = out.strip().splitlines()[-1]
    return dict(json.loads(line))


def _check_probe(r: dict[str, object]) -> None:
    assert r["same"] is True and r["is_zmq4"] is True and r["again"] is True
    assert r["spec"] == "zmq4.error"  # the module keeps its own spec
    assert r["main"] == "__main__"
    assert r["env"] == "1"
    assert r["missing"] is not None
    assert r["missing"][0] == "zmq.no_such_module"  # type: ignore[index]
    assert "zmq.no_such_module" in r["missing"][1]  # type: ignore[index]
    assert r["pyzmq_loaded"] == []
    assert r["child"] == "True", r["child_err"]


def test_run_script_gets_zmq4_as_zmq_with_pythons_argv_and_path(tmp_path: Path) -> None:
    prog = tmp_path / "prog.py"
    prog.write_text(PROBE)
    out = _run(["-m", "zmq4.run", str(prog), "a", "--flag"], cwd=Path("/"))
    r = _probe_result(out.stdout)
    _check_probe(r)
    assert r["argv"] == [str(prog), "a", "--flag"]
    assert r["path0"] == str(tmp_path)  # the script's directory, as `python prog.py`


def test_run_module_and_code(tmp_path: Path) -> None:
    pkg = tmp_path / "probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(PROBE)
    out = _run(["-m", "zmq4.run", "-m", "probe_pkg", "x"], cwd=tmp_path)
    r = _probe_result(out.stdout)
    _check_probe(r)
    assert r["argv"][1:] == ["x"]  # type: ignore[index]
    assert str(r["argv"][0]).endswith("__main__.py")  # type: ignore[index]

    out = _run(["-m", "zmq4.run", "-c", PROBE, "y"], cwd=tmp_path)
    r = _probe_result(out.stdout)
    _check_probe(r)
    assert r["argv"] == ["-c", "y"]


def test_exit_status_and_exceptions_pass_through(tmp_path: Path) -> None:
    prog = tmp_path / "prog.py"
    prog.write_text("import sys, zmq; sys.exit(7)")
    assert _run(["-m", "zmq4.run", str(prog)], check=False).returncode == 7
    prog.write_text("raise ValueError('boom')")
    r = _run(["-m", "zmq4.run", str(prog)], check=False)
    assert r.returncode == 1 and "ValueError: boom" in r.stderr
    r = _run(["-m", "zmq4.run"], check=False)
    assert r.returncode == 2 and "usage" in r.stderr


def test_without_the_switch_zmq_is_pyzmq() -> None:
    out = _run(["-c", "import zmq, sys; print(zmq.__file__); print('zmq4' in sys.modules)"])
    path, zmq4_loaded = out.stdout.split()
    assert "zmq4" not in path and Path(path).parent.name == "zmq"
    assert zmq4_loaded == "False"
    out = _run(["-c", "import zmq; print(zmq.__file__)"],
               env=_env(**{_zmq4_switch.ENV_VAR: "0"}))
    assert "zmq4" not in out.stdout


def test_missing_submodule_never_falls_back_to_pyzmq() -> None:
    # a name pyzmq has and zmq4 does not (and must never get from pyzmq)
    code = textwrap.dedent("""
        import sys, _zmq4_switch
        _zmq4_switch.install()
        import zmq
        for name in ("zmq.no_such_module", "zmq.utils.no_such", "zmq.error.sub"):
            try:
                __import__(name)
            except ModuleNotFoundError as e:
                assert e.name == name, (e.name, name)
                assert name in str(e)
            else:
                raise AssertionError(name + " imported")
        import importlib.util
        assert importlib.util.find_spec("zmq.no_such_module") is None
        assert not [m for m, v in sys.modules.items()
                    if "site-packages/zmq/" in (getattr(v, "__file__", None) or "")]
        print("ok")
    """)
    assert _run(["-c", code]).stdout.strip() == "ok"


def test_switch_refuses_when_pyzmq_is_already_imported() -> None:
    code = textwrap.dedent("""
        import zmq, _zmq4_switch
        try:
            _zmq4_switch.install()
        except RuntimeError as e:
            print("refused:", e)
    """)
    out = _run(["-c", code]).stdout
    assert out.startswith("refused:") and "already imported" in out


def test_install_uninstall_in_process_share_module_objects() -> None:
    code = textwrap.dedent("""
        import sys, _zmq4_switch
        import zmq4.utils.monitor
        _zmq4_switch.install(); _zmq4_switch.install()  # idempotent
        assert _zmq4_switch.installed()
        from zmq.utils import monitor
        import zmq.utils.monitor
        assert monitor is zmq4.utils.monitor is sys.modules["zmq.utils.monitor"]
        assert monitor.__spec__.name == "zmq4.utils.monitor"
        assert monitor.__name__ == "zmq4.utils.monitor"
        _zmq4_switch.uninstall()
        assert not _zmq4_switch.installed()
        assert not [m for m in sys.modules if m == "zmq" or m.startswith("zmq.")]
        import zmq
        assert "zmq4" not in zmq.__file__  # pyzmq again
        print("ok")
    """)
    assert _run(["-c", code]).stdout.strip() == "ok"


def _site_hook_cmd(body: str) -> list[str]:
    """Python started so that zmq4's .pth hook runs at start-up: as installed, or (source
    checkout) the hook file processed the way site processes it."""
    if _zmq4_switch.hook_installed():
        return ["-c", body]
    boot = f"import site; site.addsitedir({str(PTH.parent)!r})\n"
    return ["-c", boot + body]


def test_environment_variable_through_the_pth_hook() -> None:
    assert PTH.is_file()
    line = PTH.read_text().strip()
    assert line.startswith("import ") and "\n" not in line
    body = textwrap.dedent("""
        import sys
        before = sorted(m for m in ("zmq", "zmq4", "_zmq4_switch") if m in sys.modules)
        import zmq, zmq4
        print(before, zmq is zmq4)
    """)
    out = _run(_site_hook_cmd(body), env=_env(**{_zmq4_switch.ENV_VAR: "1"}))
    # the hook loads only the switch; zmq4 is imported when the program imports zmq
    assert out.stdout.strip() == "['_zmq4_switch'] True"
    # unset: the hook imports nothing at all
    body = ("import sys; print([m for m in sys.modules if m.split('.')[0] in "
            "('zmq', 'zmq4', '_zmq4_switch')])")
    assert _run(_site_hook_cmd(body)).stdout.strip() == "[]"

