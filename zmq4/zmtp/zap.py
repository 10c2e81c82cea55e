"""ZAP (RFC 27) message format: building requests and validating replies.

Owns the frames exchanged with the ZAP handler at ``inproc://zeromq.zap.01``. The
session owns the pipe to the handler; the connection only emits ``ZapRequested`` and
takes the decision back through ``ZmtpConnection.zap_reply`` /
``ZmtpConnection.zap_reply_frames``.

Rules as libzmq 4.0 checks them (spec §6.5): the reply is exactly 7 frames including
the empty delimiter (6 without it), version ``1.0``, the request id echoed, a 3-byte
status code; the metadata frame is parsed as ZMTP properties. Only ``200`` accepts.
Violations raise ``ZapError`` (the connection being authenticated is then closed).

Import rules: imports ``zmq4.zmtp.commands``, ``events`` and ``errors`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .commands import Metadata, parse_metadata
from .errors import RemoteProtocolError, ZapError
from .events import ZapRequested

__all__ = ["ZAP_ENDPOINT", "ZAP_VERSION", "ZapRequested", "ZapReply", "parse_reply"]

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_VERSION = b"1.0"


@dataclass(frozen=True)
class ZapReply:
    """A validated ZAP reply (RFC 27 §Reply)."""

    request_id: bytes
    status_code: bytes
    status_text: bytes = b""
    user_id: bytes = b""
    metadata: Metadata = field(default_factory=Metadata)

    @property
    def accepted(self) -> bool:
        return self.status_code == b"200"


def parse_reply(
    frames: Sequence[bytes], request_id: bytes = b"1", delimiter: bool = True
) -> ZapReply:
    """Validate a reply read from the handler pipe (``delimiter``: frame 1 is the empty
    delimiter, as a REQ-style pipe delivers it)."""
    frames = [bytes(f) for f in frames]
    if delimiter:
        # RFC 27 §Reply: an empty delimiter frame precedes the reply.
        if len(frames) != 7:
            raise ZapError(f"ZAP reply has {len(frames)} frames, expected 7")
        if frames[0]:
            raise ZapError("ZAP reply does not start with an empty delimiter")
        frames = frames[1:]
    elif len(frames) != 6:
        raise ZapError(f"ZAP reply has {len(frames)} frames, expected 6")
    version, rid, status, text, user_id, meta = frames
    if version != ZAP_VERSION:  # RFC 27 §Reply: version SHALL be "1.0"
        raise ZapError(f"ZAP reply version {version!r}, expected b'1.0'")
    if rid != request_id:  # RFC 27 §Reply: request id SHALL echo the request
        raise ZapError(f"ZAP reply request id {rid!r}, expected {request_id!r}")
    if len(status) != 3 or not status.isdigit():  # RFC 27: 3-digit status code
        raise ZapError(f"ZAP reply status code {status!r} is not 3 digits")
    try:
        md = parse_metadata(meta)
    except RemoteProtocolError as exc:
        raise ZapError(f"ZAP reply metadata malformed: {exc.reason}") from None
    return ZapReply(rid, status, text, user_id, md)
