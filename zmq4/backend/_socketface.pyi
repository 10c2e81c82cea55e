"""Type stub for the compiled ``zmq4.backend._socketface`` (see its .pyx for the rules)."""

from typing import Any, Literal, overload

from ..core.socket_base import SocketBase
from .frame import Frame, MessageTracker

class SocketFace:
    _core: SocketBase

    def send(self, data: Any, flags: int = 0, copy: bool = True, track: bool = False,
             routing_id: int | None = None,
             group: str | None = None) -> MessageTracker | None: ...
    @overload
    def recv(self, flags: int = 0, copy: Literal[True] = True, track: bool = False) -> bytes: ...
    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int = 0, *, copy: Literal[False], track: bool = False) -> Frame: ...
    @overload
    def recv(self, flags: int = 0, copy: bool = True,
             track: bool = False) -> bytes | Frame: ...
