"""Type stub for the compiled ``zmq4.io._sockio`` (see its .pyx for the rules)."""

from typing import Any

IOV_MAX_CHUNKS: int

def send_chunks(fd: int, chunks: list[Any]) -> int: ...
def recv_into(fd: int, buf: Any, size: int = -1) -> int: ...
