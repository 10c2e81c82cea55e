"""Helpers around the object API (pyzmq's ``zmq.utils``): :mod:`zmq4.utils.monitor`."""
