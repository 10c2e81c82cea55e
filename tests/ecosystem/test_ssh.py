"""zmq4.ssh (pyzmq's zmq.ssh): real tunnels on loopback, with no sshd installed.

The SSH server is ``_ssh_server.SSHServer`` (paramiko's server side on 127.0.0.1: password
and public-key logins, ``sleep``/``exit`` commands, port forwarding). Against it:

- ``openssh_tunnel`` with the real OpenSSH client (``ssh`` on PATH is a two-line wrapper
  that adds ``-F`` with a test config: a private known_hosts file, password logins): the
  password prompt answered, an unknown host key refused, wrong passwords given up on,
  a failing ssh reported with its output;
- ``paramiko_tunnel``, and pyzmq's own ``paramiko_tunnel`` against the same server;
- the ControlMaster path, with a fake ``ssh`` that plays a running master (what is
  checked there is the command line zmq4 builds);
- ``try_passwordless_ssh`` both ways, with a key the server accepts and without;
- argument handling and missing optional packages.

Every tunnel is proven by a zmq4 REQ/REP round trip through it.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
from _ssh_server import SSHServer

import zmq4
from zmq4.ssh import tunnel

USER, PASSWORD = "zmq4user", "s3cret"
TIMEOUT_MS = 20000


@pytest.fixture(scope="module")
def host_key() -> paramiko.RSAKey:
    return paramiko.RSAKey.generate(2048)


@pytest.fixture
def server(host_key: paramiko.RSAKey) -> Iterator[SSHServer]:
    s = SSHServer(host_key, USER, PASSWORD)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def openssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real ssh client with a test configuration, first on PATH; returns a function
    that trusts a server's host key."""
    real = shutil.which("ssh")
    assert real is not None, "the OpenSSH client (ssh) is needed on PATH"
    known = tmp_path / "known_hosts"
    known.write_text("")
    config = tmp_path / "ssh_config"
    config.write_text(f"Host *\n  UserKnownHostsFile {known}\n  GlobalKnownHostsFile /dev/null\n"
                      "  PubkeyAuthentication no\n  PreferredAuthentications password\n"
                      "  NumberOfPasswordPrompts 3\n  ControlMaster no\n  LogLevel ERROR\n")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "ssh"
    wrapper.write_text(f'#!/bin/sh\nexec {real} -F {config} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")

    def trust(s: SSHServer) -> None:
        known.write_text(s.known_hosts_line())

    return trust


@pytest.fixture
def rep() -> Iterator[tuple[Any, int]]:
    """A zmq4 REP on 127.0.0.1, the far end of the tunnels, and its port."""
    ctx = zmq4.Context()
    sock = ctx.socket(zmq4.REP)
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    yield sock, port
    ctx.destroy(linger=0)


def round_trip(rep: Any, connect: Any) -> None:
    """A REQ connected by ``connect(req)`` talks to ``rep`` through the tunnel."""
    ctx = zmq4.Context()
    try:
        req = ctx.socket(zmq4.REQ)
        req.linger = 0
        req.rcvtimeo = TIMEOUT_MS
        connect(req)
        req.send(b"through the tunnel")
        assert rep.recv() == b"through the tunnel"
        rep.send(b"and back")
        assert req.recv() == b"and back"
    finally:
        ctx.destroy(linger=0)


# ------------------------------------------------------------------ OpenSSH

def test_openssh_tunnel_answers_the_password_prompt(server: SSHServer, openssh: Any,
                                                   rep: tuple[Any, int]) -> None:
    openssh(server)
    sock, rport = rep
    pids: list[int] = []

    def connect(req: Any) -> None:
        pids.append(tunnel.tunnel_connection(req, f"tcp://127.0.0.1:{rport}",
                                             f"{USER}@127.0.0.1:{server.port}",
                                             password=PASSWORD, timeout=30))

    round_trip(sock, connect)
    assert isinstance(pids[0], int) and pids[0] > 0
    assert server.password_attempts == [PASSWORD]
    assert server.commands == ["sleep 30"]
    assert server.forwarded == [rport]


def test_openssh_refuses_an_unknown_host_key(server: SSHServer, openssh: Any) -> None:
    # known_hosts stays empty: ssh asks "Are you sure...", and zmq4 does not say yes
    with pytest.raises(tunnel.SSHException, match="authenticity"):
        tunnel.openssh_tunnel(tunnel.select_random_ports(1)[0], 5555,
                              f"{USER}@127.0.0.1:{server.port}", password=PASSWORD)
    assert server.password_attempts == []


def test_openssh_gives_up_after_rejected_passwords(server: SSHServer, openssh: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    openssh(server)
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return "still wrong"

    monkeypatch.setattr(tunnel, "getpass", fake_getpass)
    with pytest.raises(tunnel.SSHException):
        tunnel.openssh_tunnel(tunnel.select_random_ports(1)[0], 5555,
                              f"{USER}@127.0.0.1:{server.port}", password="wrong")
    assert server.password_attempts[0] == "wrong"
    assert len(asked) >= 1 and all(p.endswith("password: ") for p in asked)
    assert PASSWORD not in server.password_attempts


def test_openssh_failure_is_reported_with_its_output(openssh: Any) -> None:
    free = tunnel.select_random_ports(1)[0]  # nothing listens there
    with pytest.raises(RuntimeError, match="failed to start") as info:
        tunnel.openssh_tunnel(tunnel.select_random_ports(1)[0], 5555,
                              f"{USER}@127.0.0.1:{free}", password=PASSWORD)
    assert "refused" in str(info.value).lower()


def test_control_master_is_asked_to_forward(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake ssh playing a running ControlMaster: zmq4 checks it, asks it to forward,
    returns its pid and registers the cancel for exit."""
    log = tmp_path / "calls"
    fake = tmp_path / "bin" / "ssh"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n"
                    f'echo "$@" >> {log}\n'
                    'case "$*" in *"-O check"*) echo "Master running (pid=4242)" >&2 ;; esac\n'
                    "exit 0\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    at_exit: list[Any] = []
    monkeypatch.setattr(tunnel.atexit, "register", lambda fn, *a: at_exit.append((fn, a)))
    pid = tunnel.openssh_tunnel(40001, 5555, "bob@gateway:2222", remoteip="10.1.2.3",
                                keyfile="/keys/id ed25519")
    assert pid == 4242
    calls = log.read_text().splitlines()
    assert calls == ["-i /keys/id ed25519 -p 2222 -O check bob@gateway",
                     "-i /keys/id ed25519 -p 2222 -O forward "
                     "-L 127.0.0.1:40001:10.1.2.3:5555 bob@gateway"]
    (fn, args), = at_exit
    fn(*args)
    assert log.read_text().splitlines()[-1] == ("-i /keys/id ed25519 -p 2222 -O cancel "
                                                "-L 127.0.0.1:40001:10.1.2.3:5555 bob@gateway")


# ------------------------------------------------------------------ paramiko

def test_paramiko_tunnel(server: SSHServer, rep: tuple[Any, int]) -> None:
    sock, rport = rep
    procs: list[Any] = []

    def connect(req: Any) -> None:
        procs.append(tunnel.tunnel_connection(req, f"tcp://127.0.0.1:{rport}",
                                              f"{USER}@127.0.0.1:{server.port}",
                                              password=PASSWORD, paramiko=True))

    try:
        round_trip(sock, connect)
        assert procs[0].is_alive() and procs[0].daemon
    finally:
        for p in procs:
            p.terminate()
            p.join(10)
    assert server.password_attempts == [PASSWORD]
    assert server.forwarded and set(server.forwarded) == {rport}


def test_pyzmqs_paramiko_tunnel_against_the_same_server(server: SSHServer,
                                                       rep: tuple[Any, int]) -> None:
    """The test server is a fair one: pyzmq's own tunnel works through it too."""
    from zmq.ssh import tunnel as theirs

    sock, rport = rep
    lport = theirs.select_random_ports(1)[0]
    proc = theirs.paramiko_tunnel(lport, rport, f"{USER}@127.0.0.1:{server.port}",
                                  password=PASSWORD)
    try:
        round_trip(sock, lambda req: req.connect(f"tcp://127.0.0.1:{lport}"))
    finally:
        proc.terminate()
        proc.join(10)


def test_try_passwordless_ssh_both_ways(host_key: paramiko.RSAKey, tmp_path: Path,
                                        openssh: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    user_key = paramiko.RSAKey.generate(2048)
    keyfile = tmp_path / "id_rsa"
    user_key.write_private_key_file(str(keyfile))
    keyfile.chmod(0o600)
    s = SSHServer(host_key, USER, PASSWORD, authorized_key=user_key)
    s.start()
    try:
        openssh(s)
        where = f"{USER}@127.0.0.1:{s.port}"
        # paramiko's check refuses a host it does not know, unless told otherwise
        with pytest.raises(tunnel.SSHException, match="known_hosts"):
            tunnel.try_passwordless_ssh(where, str(keyfile), paramiko=True)
        monkeypatch.setenv("PYZMQ_PARAMIKO_HOST_KEY_POLICY", "Warning")
        assert tunnel.try_passwordless_ssh(where, str(keyfile), paramiko=True) is True
        assert tunnel.try_passwordless_ssh(where, None, paramiko=True) is False
        # OpenSSH: the test config allows passwords only, so a prompt appears: not
        # passwordless (the prompt is seen and nothing is typed)
        assert tunnel.try_passwordless_ssh(where, str(keyfile), paramiko=False) is False
        assert s.password_attempts == []
    finally:
        s.stop()


# ------------------------------------------------------------------ arguments

def test_select_random_ports() -> None:
    for _ in range(200):
        ports = tunnel.select_random_ports(10)
        assert len(set(ports)) == 10 and all(0 < p < 65536 for p in ports)
    assert tunnel.select_random_ports(0) == []
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError):
            tunnel.select_random_ports(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("base", ["zmq4", "zmq"])
def test_split_server_like_pyzmq(base: str) -> None:
    import getpass
    import importlib

    t = importlib.import_module(base + ".ssh.tunnel")
    me = getpass.getuser()
    assert t._split_server("host") == (me, "host", 22)
    assert t._split_server("u@host") == ("u", "host", 22)
    assert t._split_server("u@host:2200") == ("u", "host", 2200)
    assert t._split_server("host:2200") == (me, "host", 2200)


def test_split_server_beyond_pyzmq() -> None:
    assert tunnel._split_server("u@[::1]:2200") == ("u", "::1", 2200)
    assert tunnel._split_server("u@[::1]") == ("u", "::1", 22)
    for bad in ("", "u@", "host:port", "host:0", "host:70000", "u@[::1]x"):
        with pytest.raises(ValueError):
            tunnel._split_server(bad)


@pytest.mark.parametrize("addr", ["ipc:///tmp/x", "tcp://127.0.0.1", "inproc://x",
                                  "tcp://*:5555", "127.0.0.1:5555"])
def test_open_tunnel_refuses_what_cannot_be_tunnelled(addr: str) -> None:
    with pytest.raises(ValueError):
        tunnel.open_tunnel(addr, "host")


def test_missing_optional_packages_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tunnel, "pexpect", None)
    with pytest.raises(ImportError, match=r"zmq4\[ssh\]"):
        tunnel.openssh_tunnel(1, 2, "host")
    monkeypatch.setattr(tunnel, "paramiko", None)
    with pytest.raises(ImportError, match=r"zmq4\[ssh\]"):
        tunnel.paramiko_tunnel(1, 2, "host", password="x")


def test_module_exports_are_pyzmqs() -> None:
    import zmq.ssh

    import zmq4.ssh

    for name in zmq.ssh.tunnel.__all__:
        assert hasattr(zmq4.ssh, name), name
    assert tunnel.ssh_tunnel is (tunnel.paramiko_tunnel if sys.platform == "win32"
                                 else tunnel.openssh_tunnel)
    assert issubclass(tunnel.MaxRetryExceeded, Exception)
    assert tunnel.SSHException is paramiko.ssh_exception.SSHException
