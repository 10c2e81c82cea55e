"""``zmq4 perf`` runs end to end (a smoke test of the benchmark tool, not a timing test):
plain and ``--curve`` with ``--handshakes``, zmq4 beside pyzmq, over tcp and ipc."""

from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest


@pytest.mark.parametrize("extra", [["--transport", "ipc"],
                                   ["--curve", "--handshakes", "20"]],
                         ids=["ipc", "tcp-curve"])
def test_perf_prints_a_side_by_side_table(extra: list[str]) -> None:
    cmd = [sys.executable, "-m", "zmq4", "perf", "--sizes", "64", "--count", "2000",
           "--lat-count", "200", *extra]
    with tempfile.TemporaryDirectory() as cwd:  # outside the source tree: installed zmq4
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(line for line in lines if line.startswith("metric"))
    assert header.split() == ["metric", "size", "zmq4", "pyzmq", "zmq4/pyzmq"]
    rows = {tuple(line.split()[:2]) for line in lines[lines.index(header) + 1:]}
    assert ("throughput", "64") in rows and ("latency", "us") in rows
    if "--curve" in extra:
        assert "over CURVE" in lines[0]
        assert ("connects/s", "-") in rows
    for line in lines[lines.index(header) + 1:]:
        if line.startswith(("throughput", "latency", "connects")):
            assert line.rstrip().endswith("x"), line  # a ratio for every row
