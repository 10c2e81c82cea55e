"""``zmq4.auth.certs``: certificate files (pyzmq's module of the same name); see zmq4.certs."""

from __future__ import annotations

from ..certs import create_certificates, load_certificate, load_certificates

__all__ = ["create_certificates", "load_certificate", "load_certificates"]
