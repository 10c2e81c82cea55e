"""SSH tunnels to zmq4 endpoints (pyzmq's ``zmq.ssh.tunnel``).

``tunnel_connection(sock, "tcp://10.0.0.5:5555", "user@gateway")`` connects ``sock`` to
an endpoint only the SSH server ``gateway`` can reach: it opens a tunnel from a free local
port to that endpoint, through the server, and connects to ``tcp://127.0.0.1:<port>``.

Two ways to build the tunnel, as in pyzmq:

- :func:`openssh_tunnel` (the default on POSIX; needs ``pexpect``) runs the ``ssh``
  command. If a ControlMaster connection to the server runs (``ssh -O check``), it asks it
  to add the forwarding (cancelled at exit) and returns the master's pid. Otherwise it
  runs ``ssh -f -S none -L 127.0.0.1:LPORT:REMOTEIP:RPORT SERVER sleep TIMEOUT`` in a
  pseudo-terminal, answering a password prompt with ``password`` (or asking with
  ``getpass``; after three rejected passwords it gives up with ``SSHException``); an unknown
  host key is ``SSHException``, not a question answered for you. ``ssh -f`` goes to the
  background once logged in; the returned pid is that of the command started, whose
  backgrounded child carries the tunnel: it closes once ``sleep TIMEOUT`` ended and no
  forwarded connection is left.
- :func:`paramiko_tunnel` (needs ``paramiko``) logs in with paramiko in a daemon
  ``multiprocessing.Process`` (returned; it ends with this process, or ``.terminate()``)
  which forwards the local port (:mod:`zmq4.ssh.forward`). Host keys: the system's known
  hosts; an unknown one is accepted with a warning, pyzmq's choice, unless the environment
  variable ``PYZMQ_PARAMIKO_HOST_KEY_POLICY`` names a paramiko policy (``Reject``,
  ``AutoAdd``, ``Warning``), which is then used for the login test and the tunnel alike.

``server`` is ``[user@]host[:port]`` (IPv6 hosts in brackets). Missing optional packages
are ``ImportError`` naming the package and the ``ssh`` extra (``pip install 'zmq4[ssh]'``);
an ``addr`` that is not ``tcp://host:port`` is ``ValueError``. Nothing here talks to the
network until called.
"""

from __future__ import annotations

import atexit
import importlib
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from getpass import getpass, getuser
from multiprocessing import Process
from typing import Any

__all__ = ["open_tunnel", "openssh_tunnel", "paramiko_tunnel", "select_random_ports",
           "ssh_tunnel", "try_passwordless_ssh", "tunnel_connection"]

def _optional(name: str) -> Any:
    """The module ``name``, or None when it is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(name)
    except ImportError:
        return None


#: the optional packages (None when missing; tests may replace them)
paramiko: Any = _optional("paramiko")
pexpect: Any = _optional("pexpect")

if paramiko is not None:
    SSHException: type[Exception] = paramiko.ssh_exception.SSHException
else:
    class _SSHException(Exception):
        """paramiko's SSHException (paramiko is not installed)."""

    SSHException = _SSHException


class MaxRetryExceeded(Exception):
    """ssh neither logged in nor failed within the time allowed."""


_EXTRA = "pip install 'zmq4[ssh]'"
_PASSWORD_PROMPT = re.compile(rb"pass(word|phrase)", re.IGNORECASE)
_NEW_HOST_KEY = "Are you sure you want to continue connecting"
#: seconds ssh may take to log in (or fail) before MaxRetryExceeded
LOGIN_TIMEOUT = 30.0
#: password attempts before giving up
MAX_PASSWORD_TRIES = 3


def select_random_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on 127.0.0.1 right now (each bound at once, so no
    two are the same, then released)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, not {n!r}")
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _split_server(server: str) -> tuple[str, str, int]:
    """``[user@]host[:port]`` -> (user, host, port); the user defaults to this one, the
    port to 22; an IPv6 host is written in brackets."""
    if not isinstance(server, str) or not server:
        raise ValueError(f"server must be '[user@]host[:port]', not {server!r}")
    user, at, rest = server.rpartition("@")
    if not at:
        user = getuser()
    host, port = _split_host_port(rest, server)
    return user, host, 22 if port is None else port


def _split_host_port(text: str, server: str) -> tuple[str, int | None]:
    if text.startswith("["):
        host, _, tail = text[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
        if tail and not tail.startswith(":"):
            raise ValueError(f"bad server {server!r}")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(f"server {server!r} names no host")
    if not port_text:
        return host, None
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"bad port {port_text!r} in server {server!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port {port} out of range in server {server!r}")
    return host, port


def _ssh_command(server: str, keyfile: str | None) -> tuple[list[str], str]:
    """The ``ssh`` command line start for ``server`` and its destination argument."""
    user, at, rest = server.rpartition("@")
    host, port = _split_host_port(rest, server)
    cmd = ["ssh"]
    if keyfile:
        cmd += ["-i", keyfile]
    if port is not None:
        cmd += ["-p", str(port)]
    return cmd, f"{user}@{host}" if at else host


# ----------------------------------------------------------------------- login checks

def try_passwordless_ssh(server: str, keyfile: str | None,
                         paramiko: bool | None = None) -> bool:
    """Whether ``server`` lets us in without a password (keys, agent). ``paramiko``:
    test with paramiko instead of the ``ssh`` command (default: only on Windows)."""
    if paramiko is None:
        paramiko = sys.platform == "win32"
    if paramiko:
        return _try_passwordless_paramiko(server, keyfile)
    return _try_passwordless_openssh(server, keyfile)


def _need_pexpect() -> Any:
    if pexpect is None:
        raise ImportError(f"the ssh command needs pexpect ({_EXTRA}); or use paramiko")
    return pexpect


def _need_paramiko() -> Any:
    if paramiko is None:
        raise ImportError(f"paramiko is not installed ({_EXTRA}); on POSIX the ssh command "
                          "(openssh_tunnel) works without it")
    return paramiko


def _ssh_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SSH_ASKPASS", None)  # the password prompt must come to our terminal
    return env


def _try_passwordless_openssh(server: str, keyfile: str | None) -> bool:
    px = _need_pexpect()
    cmd, dest = _ssh_command(server, keyfile)
    child = px.spawn(cmd[0], [*cmd[1:], "-f", dest, "exit"], env=_ssh_env())
    try:
        index = child.expect([_NEW_HOST_KEY, _PASSWORD_PROMPT], timeout=LOGIN_TIMEOUT)
    except px.EOF:
        return True
    except px.TIMEOUT:
        raise MaxRetryExceeded(f"ssh to {server} did not finish logging in within "
                               f"{LOGIN_TIMEOUT} s") from None
    finally:
        child.close(force=True)
    if index == 0:
        raise SSHException(f"the authenticity of host {server} can't be established "
                           "(its key is not in known_hosts)")
    return False


def _host_key_policy(default: Any) -> Any:
    name = os.environ.get("PYZMQ_PARAMIKO_HOST_KEY_POLICY")
    if not name:
        return default
    policy = getattr(paramiko, f"{name}Policy", None)
    if policy is None:
        raise ValueError(f"PYZMQ_PARAMIKO_HOST_KEY_POLICY={name!r}: paramiko has no "
                         f"{name}Policy")
    return policy()


def _try_passwordless_paramiko(server: str, keyfile: str | None) -> bool:
    pm = _need_paramiko()
    user, host, port = _split_server(server)
    client = pm.SSHClient()
    try:
        client.load_host_keys(os.path.expanduser("~/.ssh/known_hosts"))
    except FileNotFoundError:
        pass
    client.set_missing_host_key_policy(_host_key_policy(pm.RejectPolicy()))
    try:
        client.connect(host, port, username=user, key_filename=keyfile, look_for_keys=True,
                       allow_agent=True, timeout=LOGIN_TIMEOUT)
    except pm.AuthenticationException:
        return False
    except pm.SSHException as e:
        if "No authentication methods available" in str(e):
            return False  # no key to try (paramiko says so with this plain SSHException)
        raise
    finally:
        client.close()
    return True


# ----------------------------------------------------------------------- tunnels

def tunnel_connection(socket: Any, addr: str, server: str, keyfile: str | None = None,
                      password: str | None = None, paramiko: bool | None = None,
                      timeout: int = 60) -> Any:
    """Connect the zmq4 ``socket`` to ``addr`` (``tcp://host:port``, as ``server`` sees
    it) through an SSH tunnel via ``server``; returns the tunnel (see :func:`open_tunnel`)."""
    url, tunnel = open_tunnel(addr, server, keyfile=keyfile, password=password,
                              paramiko=paramiko, timeout=timeout)
    socket.connect(url)
    return tunnel


def open_tunnel(addr: str, server: str, keyfile: str | None = None,
                password: str | None = None, paramiko: bool | None = None,
                timeout: int = 60) -> tuple[str, Any]:
    """Open a tunnel to ``addr`` via ``server``; returns (the local ``tcp://127.0.0.1:PORT``
    url to connect to, the tunnel: :func:`openssh_tunnel`'s pid or
    :func:`paramiko_tunnel`'s process). ``paramiko``: use paramiko instead of the ``ssh``
    command (default: only on Windows)."""
    if isinstance(addr, bytes):
        addr = addr.decode("utf-8")
    transport, sep, where = addr.partition("://") if isinstance(addr, str) else ("", "", "")
    if not sep or transport != "tcp":
        raise ValueError(f"can only tunnel tcp:// endpoints, not {addr!r}")
    remoteip, rport = _split_host_port(where, addr)
    if rport is None:
        raise ValueError(f"{addr!r} names no port")
    if remoteip == "*":
        raise ValueError(f"{addr!r}: a tunnel needs the address to connect to, not '*'")
    lport = select_random_ports(1)[0]
    if paramiko is None:
        paramiko = sys.platform == "win32"
    make = paramiko_tunnel if paramiko else openssh_tunnel
    tunnel = make(lport, rport, server, remoteip=remoteip, keyfile=keyfile,
                  password=password, timeout=timeout)
    return f"tcp://127.0.0.1:{lport}", tunnel


def _forward_spec(lport: int, remoteip: str, rport: int) -> str:
    if ":" in remoteip:  # IPv6
        remoteip = f"[{remoteip}]"
    return f"127.0.0.1:{lport}:{remoteip}:{rport}"


def openssh_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                   keyfile: str | None = None, password: str | None = None,
                   timeout: int = 60) -> int:
    """Forward ``127.0.0.1:lport`` here to ``remoteip:rport`` as seen from ``server``,
    with the ``ssh`` command (see the module docstring). Returns a pid."""
    px = _need_pexpect()
    cmd, dest = _ssh_command(server, keyfile)
    forward = ["-L", _forward_spec(lport, remoteip, rport)]
    master = _control_master_pid(cmd, dest)
    if master is not None:
        added = subprocess.run([*cmd, "-O", "forward", *forward, dest], capture_output=True,
                               stdin=subprocess.DEVNULL, timeout=LOGIN_TIMEOUT)
        if added.returncode == 0:
            atexit.register(_stop_tunnel, [*cmd, "-O", "cancel", *forward, dest])
            return master
    argv = [*cmd, "-f", "-S", "none", *forward, dest, "sleep", str(int(timeout))]
    # ignore_sighup: ssh -f forks, and its parent (the session leader of our pty) exits;
    # a SIGHUP from that exit can reach the child before it leaves the session, killing
    # the tunnel at birth (seen here in about one start in four)
    child = px.spawn(argv[0], argv[1:], env=_ssh_env(), ignore_sighup=True)
    deadline = time.monotonic() + LOGIN_TIMEOUT
    tries = 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MaxRetryExceeded(f"ssh to {server} neither logged in nor failed "
                                       f"within {LOGIN_TIMEOUT} s: {' '.join(argv)}")
            try:
                index = child.expect([_NEW_HOST_KEY, _PASSWORD_PROMPT], timeout=min(left, 1))
            except px.TIMEOUT:
                continue
            except px.EOF:
                output = (child.before or b"").decode("utf-8", "replace").strip()
                child.close()
                status = child.exitstatus if child.exitstatus is not None \
                    else child.signalstatus
                if status:
                    raise RuntimeError(f"tunnel '{' '.join(argv)}' failed to start "
                                       f"(exit status {status}): {output}") from None
                return int(child.pid)
            if index == 0:
                raise SSHException(f"the authenticity of host {server} can't be "
                                   "established (its key is not in known_hosts)")
            tries += 1
            if tries > MAX_PASSWORD_TRIES:
                raise SSHException(f"ssh to {server}: {MAX_PASSWORD_TRIES} passwords "
                                   "rejected")
            if password is None or tries > 1:
                if tries > 1:
                    print("Password rejected, try again", file=sys.stderr)
                password = getpass(f"{server}'s password: ")
            child.sendline(password)
    except BaseException:
        if child.isalive():
            child.close(force=True)
        raise


def _control_master_pid(cmd: list[str], dest: str) -> int | None:
    """The pid of a running ControlMaster for ``dest`` (``ssh -O check``), or None."""
    try:
        check = subprocess.run([*cmd, "-O", "check", dest], capture_output=True,
                               stdin=subprocess.DEVNULL, timeout=LOGIN_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if check.returncode != 0:
        return None
    found = re.search(rb"\(pid=(\d+)\)", check.stdout + check.stderr)
    return int(found.group(1)) if found else None


def _stop_tunnel(argv: list[str]) -> None:
    subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
                   check=False)


def paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                    keyfile: str | None = None, password: str | None = None,
                    timeout: int = 60) -> Process:
    """Forward ``127.0.0.1:lport`` here to ``remoteip:rport`` as seen from ``server``,
    with paramiko, in a daemon process (returned; see the module docstring). Without a
    ``password`` a key login is tried first, then ``getpass`` asks. ``timeout`` is
    accepted for pyzmq's signature; the process forwards until it ends."""
    _need_paramiko()
    if password is None and not _try_passwordless_paramiko(server, keyfile):
        password = getpass(f"{server}'s password: ")
    p = Process(target=_paramiko_tunnel, args=(lport, rport, server, remoteip),
                kwargs={"keyfile": keyfile, "password": password}, daemon=True)
    p.start()
    return p


def _paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str,
                     keyfile: str | None = None, password: str | None = None) -> None:
    """The tunnel process: log in, then forward until killed."""
    import signal

    from .forward import forward_tunnel

    pm = _need_paramiko()
    user, host, port = _split_server(server)
    client = pm.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(_host_key_policy(pm.WarningPolicy()))
    try:
        client.connect(host, port, username=user, key_filename=keyfile, look_for_keys=True,
                       password=password, timeout=LOGIN_TIMEOUT)
    except Exception as e:  # noqa: BLE001 - the process reports and ends
        print(f"*** zmq4.ssh: failed to connect to {host}:{port}: {e!r}", file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the parent's terminal
    try:
        forward_tunnel(lport, remoteip, rport, client.get_transport())
    except Exception as e:  # noqa: BLE001
        print(f"zmq4.ssh: port forwarding stopped: {e!r}", file=sys.stderr)
        sys.exit(255)


ssh_tunnel = paramiko_tunnel if sys.platform == "win32" else openssh_tunnel
