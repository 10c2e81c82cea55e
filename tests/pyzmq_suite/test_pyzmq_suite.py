"""pyzmq's own test suite, unmodified, against zmq4.

Fetches pyzmq 27.2.0's source distribution at test time (``pip download --no-deps
--no-binary pyzmq pyzmq==27.2.0``, cached in ``$ZMQ4_TEST_CACHE`` or
``~/.cache/zmq4-tests``), unpacks its ``tests/`` and ``pytest.ini``, and runs that suite
three times in subprocesses:

1. against the installed pyzmq (the baseline: which tests pass on real pyzmq + libzmq here);
2. through the switch (``python -m zmq4.run -m pytest``: ``import zmq`` is zmq4);
3. with ``PYZMQ_BACKEND=zmq4.backend``: pyzmq's own Python layer on zmq4's engine.

The switch run fails this test when a test that passes on pyzmq does not pass on zmq4,
unless ``exclusions.txt`` lists it with its reason (a libzmq >= 4.1 feature, a pyzmq
internal such as its garbage-collection thread), and unless at least 95 % of the baseline
passes. Excluded tests are deselected from both zmq4
runs (see exclusions.txt). The backend run must keep :data:`BACKEND_FLOOR` of the
baseline. ``test_mypy.py`` (type-checks pyzmq's examples) and ``test_cython.py``
(compiles a Cython extension against pyzmq's headers) are left out of all three runs.
Counts are printed (``pytest -s`` or the summary on failure).
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

PYZMQ_VERSION = "27.2.0"
HERE = Path(__file__).parent
EXCLUSIONS = HERE / "exclusions.txt"
LEFT_OUT = ["tests/test_mypy.py", "tests/test_cython.py"]
#: The share of the tests that pass on pyzmq which must pass through the switch.
SWITCH_FLOOR = 0.95
#: ... and with PYZMQ_BACKEND=zmq4.backend (pyzmq's sugar on zmq4's backend).
BACKEND_FLOOR = 0.80
PER_TEST_TIMEOUT = 60
RUN_TIMEOUT = 1200

pytestmark = [pytest.mark.slow, pytest.mark.interop, pytest.mark.timeout(3 * RUN_TIMEOUT + 300)]


def _cache_dir() -> Path:
    base = os.environ.get("ZMQ4_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zmq4-tests")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sdist() -> Path:
    cache = _cache_dir()
    sdist = cache / f"pyzmq-{PYZMQ_VERSION}.tar.gz"
    if not sdist.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "pyzmq",
             f"pyzmq=={PYZMQ_VERSION}", "-d", str(cache)],
            check=True, capture_output=True, text=True, timeout=600)
    assert sdist.is_file(), f"pip download did not produce {sdist}"
    return sdist


def load_exclusions(path: Path = EXCLUSIONS) -> dict[str, str]:
    """``{node id pattern: reason}`` from the exclusion file: one ``<node id pattern> ::
    <reason>`` per line, ``#`` comments; a missing reason is an error."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, sep, reason = line.partition(" :: ")
        if not sep or not reason.strip():
            raise ValueError(f"{path.name}:{n}: expected '<node id> :: <reason>': {line!r}")
        out[pattern.strip()] = reason.strip()
    return out


def active_exclusions(nodeids: set[str]) -> tuple[dict[str, str], list[str]]:
    """The excluded node ids among ``nodeids`` with their reasons, and the patterns that
    match none of ``nodeids`` (typos, or tests the suite no longer has)."""
    active: dict[str, str] = {}
    unmatched: list[str] = []
    for pattern, reason in load_exclusions().items():
        matched = fnmatch.filter(nodeids, pattern)
        if not matched:
            unmatched.append(pattern)
        for nodeid in matched:
            active.setdefault(nodeid, reason)
    return active, unmatched


def _run(suite: Path, argv_prefix: list[str], env: dict[str, str], name: str,
         deselect: set[str] = frozenset()) -> dict:  # type: ignore[assignment]
    results = suite / f"results-{name}.json"
    env = dict(env)
    env["ZMQ4_PYZMQ_SUITE_RESULTS"] = str(results)
    if deselect:
        listing = suite / f"deselect-{name}.txt"
        listing.write_text("\n".join(sorted(deselect)) + "\n")
        env["ZMQ4_PYZMQ_SUITE_DESELECT"] = str(listing)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    cmd = [*argv_prefix, "-p", "_pyzmq_suite_outcomes", "-p", "no:cacheprovider",
           "-q", "--continue-on-collection-errors", "--timeout", str(PER_TEST_TIMEOUT),
           "-o", "addopts=--import-mode=importlib",
           *(f"--ignore={p}" for p in LEFT_OUT), "tests"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=suite, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    elapsed = time.monotonic() - started
    (suite / f"output-{name}.txt").write_text(proc.stdout + proc.stderr)
    if not results.is_file():
        raise AssertionError(f"{name} run wrote no results (exit {proc.returncode}):\n"
                             + (proc.stdout + proc.stderr)[-4000:])
    data = json.loads(results.read_text())
    data["elapsed"] = elapsed
    return data


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pyzmq-suite")
    with tarfile.open(_sdist()) as tar:
        top = f"pyzmq-{PYZMQ_VERSION}/"
        members = [m for m in tar.getmembers()
                   if m.name.startswith(top + "tests/") or m.name == top + "pytest.ini"]
        try:
            tar.extractall(root, members=members, filter="data")
        except TypeError:  # Python without extraction filters (< 3.10.12)
            tar.extractall(root, members=members)  # noqa: S202 - pyzmq's own sdist
    return root / f"pyzmq-{PYZMQ_VERSION}"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZMQ4_AS_ZMQ", "PYZMQ_BACKEND", "PYTEST_ADDOPTS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _passed(data: dict) -> set[str]:
    return {k for k, v in data["outcomes"].items() if v == "passed"}


def test_pyzmq_suite_through_the_switch_and_the_backend(suite: Path) -> None:
    base = _run(suite, [sys.executable, "-m", "pytest"], _env(), "pyzmq")
    baseline = _passed(base)
    assert len(baseline) > 300, f"the pyzmq baseline ran only {len(baseline)} tests"
    import zmq  # the installed pyzmq: the baseline must not have run on zmq4

    assert "zmq4" not in zmq.__file__
    exclusions, unknown = active_exclusions(set(base["outcomes"]))

    z4 = _run(suite, [sys.executable, "-m", "zmq4.run", "-m", "pytest"], _env(), "switch",
              deselect=set(exclusions))
    on_zmq4 = _passed(z4) & baseline
    regressions = sorted(baseline - on_zmq4 - set(exclusions))

    benv = _env()
    benv["PYZMQ_BACKEND"] = "zmq4.backend"
    be = _run(suite, [sys.executable, "-m", "pytest"], benv, "backend",
              deselect=set(exclusions))
    on_backend = _passed(be) & baseline

    report = (
        f"\npyzmq {PYZMQ_VERSION} suite: {len(baseline)} pass on pyzmq "
        f"({base['elapsed']:.0f} s); through the switch {len(on_zmq4)} pass on zmq4 "
        f"({100 * len(on_zmq4) / len(baseline):.1f} %; "
        f"{len(set(exclusions) & baseline)} excluded; {z4['elapsed']:.0f} s); "
        f"PYZMQ_BACKEND=zmq4.backend "
        f"{len(on_backend)} ({100 * len(on_backend) / len(baseline):.1f} %, "
        f"{be['elapsed']:.0f} s)\n")
    print(report)
    details = ""
    for nodeid in regressions:
        details += f"\n  {nodeid}: {z4['outcomes'].get(nodeid, 'not collected')}"
    for mod, err in z4["collect_errors"].items():
        details += f"\n  collection error in {mod}: {err[-300:]}"
    assert not unknown, f"exclusions.txt patterns that match no test of the suite: {unknown}"
    assert not regressions, (report + f"{len(regressions)} tests pass on pyzmq but not on "
                             "zmq4 and are not in exclusions.txt:" + details)
    assert len(on_zmq4) >= SWITCH_FLOOR * len(baseline), report
    assert len(on_backend) >= BACKEND_FLOOR * len(baseline), report


def test_exclusion_file_names_a_reason_for_every_entry() -> None:
    entries = load_exclusions()
    assert entries
    for pattern, reason in entries.items():
        assert reason and "::" in pattern and pattern.startswith("tests/"), pattern
