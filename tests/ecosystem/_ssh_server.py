"""A small SSH server on 127.0.0.1, for tests/ecosystem/test_ssh.py (no sshd needed).

Built on paramiko's server side: password login for one user (and public-key login with
one authorized key, when given), ``session`` channels that run ``sleep N`` or ``exit``
(what zmq4.ssh's tunnels and login checks ask a server to run), and ``direct-tcpip``
channels — port forwarding — to 127.0.0.1 only. It serves real SSH, so both the OpenSSH
client and paramiko log in to it. ``stop()`` closes every connection (which ends a
backgrounded ``ssh -f`` too).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from typing import Any

import paramiko


class _Policy(paramiko.ServerInterface):
    def __init__(self, server: SSHServer) -> None:
        self.server = server
        self.forwards: dict[int, tuple[str, int]] = {}
        self.commands: dict[int, str] = {}

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey" if self.server.authorized_key is not None else "password"

    def check_auth_password(self, username: str, password: str) -> int:
        self.server.password_attempts.append(password)
        if username == self.server.user and password == self.server.password:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: Any) -> int:
        wanted = self.server.authorized_key
        if username == self.server.user and wanted is not None \
                and key.get_base64() == wanted.get_base64():
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_direct_tcpip_request(self, chanid: int, origin: Any,
                                           destination: tuple[str, int]) -> int:
        host, port = destination
        if host not in ("127.0.0.1", "localhost"):
            return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        self.forwards[chanid] = ("127.0.0.1", int(port))
        self.server.forwarded.append(int(port))
        return paramiko.OPEN_SUCCEEDED

    def check_channel_exec_request(self, channel: Any, command: bytes) -> bool:
        self.commands[channel.get_id()] = command.decode()
        self.server.commands.append(command.decode())
        threading.Thread(target=self._run, args=(channel, command.decode()),
                         daemon=True).start()
        return True

    def _run(self, channel: Any, command: str) -> None:
        words = command.split()
        if words[:1] == ["sleep"] and len(words) == 2:
            deadline = time.monotonic() + float(words[1])
            while time.monotonic() < deadline and not self.server.stopping.is_set():
                time.sleep(0.05)
        channel.send_exit_status(0)
        channel.close()


class SSHServer:
    """``SSHServer(user, password)``; ``port = start()``; ``stop()``."""

    def __init__(self, host_key: Any, user: str, password: str,
                 authorized_key: Any = None) -> None:
        self.host_key = host_key
        self.user = user
        self.password = password
        self.authorized_key = authorized_key
        self.password_attempts: list[str] = []
        self.forwarded: list[int] = []
        self.commands: list[str] = []
        self.stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._transports: list[Any] = []
        self._threads: list[threading.Thread] = []
        self.port = 0

    def start(self) -> int:
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)
        return self.port

    def known_hosts_line(self) -> str:
        return (f"[127.0.0.1]:{self.port} {self.host_key.get_name()} "
                f"{self.host_key.get_base64()}\n")

    def stop(self) -> None:
        self.stopping.set()
        for t in list(self._transports):
            t.close()
        self._listener.close()
        for th in list(self._threads):
            th.join(10)

    def _spawn(self, target: Any, *args: Any) -> None:
        th = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(th)
        th.start()

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        self._transports.append(transport)
        transport.add_server_key(self.host_key)
        policy = _Policy(self)
        try:
            transport.start_server(server=policy)
        except (paramiko.SSHException, EOFError, OSError):
            return
        while transport.is_active() and not self.stopping.is_set():
            chan = transport.accept(0.2)
            if chan is None:
                continue
            target = policy.forwards.get(chan.get_id())
            if target is not None:
                self._spawn(self._relay, chan, target)

    def _relay(self, chan: Any, target: tuple[str, int]) -> None:
        try:
            out = socket.create_connection(target, timeout=10)
        except OSError:
            chan.close()
            return
        out.settimeout(None)
        try:
            while not self.stopping.is_set():
                ready, _, _ = select.select([chan, out], [], [], 0.2)
                if chan in ready:
                    data = chan.recv(65536)
                    if not data:
                        break
                    out.sendall(data)
                if out in ready:
                    data = out.recv(65536)
                    if not data:
                        break
                    chan.sendall(data)
        except OSError:
            pass
        finally:
            out.close()
            try:
                chan.close()
            except EOFError:
                pass  # the client's SSH transport went first: no channel left to close
