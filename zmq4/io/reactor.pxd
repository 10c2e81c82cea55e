# Cython pure-Python-mode declarations for reactor.py (it must keep working uncompiled).
# Nothing is typed here: IOThread stays an ordinary class (its methods can still be
# replaced, as tests do); compiling the module takes the interpreter out of the loop
# every wake-up of an I/O thread runs.
