"""Security mechanisms of ZMTP 3.x (RFC 23 §Authentication and Confidentiality).

Owns one class per mechanism; ``base.Mechanism`` is the interface the connection
drives. Present: NULL. PLAIN and CURVE plug in as further ``Mechanism`` subclasses
(CURVE with ``transparent = False`` and box/unbox in the frame hooks).

Import rules: only ``zmq4.constants`` and ``zmq4.zmtp`` modules; no I/O, no time.
"""

from __future__ import annotations

from .base import Mechanism, MechanismStatus, ZapState
from .null import NullMechanism

__all__ = ["Mechanism", "MechanismStatus", "ZapState", "NullMechanism"]
