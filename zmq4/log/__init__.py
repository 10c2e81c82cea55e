"""Logging over zmq4 (pyzmq's ``zmq.log``): :mod:`zmq4.log.handlers` publishes log records
on a PUB socket; ``python -m zmq4.log URL`` prints what such a publisher sends."""
