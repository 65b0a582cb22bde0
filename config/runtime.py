"""The garbage collector's settings of a serving process (issue 17: cold figures).

A cold summary of the whole country allocates about a million objects (rows, dictionaries, figures): with
CPython's default thresholds (700, 10, 10) that is about 75 collections per request, and each full
collection walks every object Django, the apps and the templates left after start-up. Measured on the
national benchmark (benchmarks/README.md): 42 ms of GC in a 288 ms request. So a serving process, once its
application is loaded, moves what start-up created into the permanent generation (``gc.freeze()``: never
scanned again; it is module-level state that lives as long as the process) and collects the youngest
generation every ``GEN0`` allocations instead of 700. Reference counting still frees what is not in a
cycle at once; cycles wait at most GEN0 allocations more.

``tune()`` is called by config/wsgi.py (gunicorn and every WSGI server load it in each worker) and by
the benchmark's in-process client, so both measure the same process. Tests and management commands keep
the interpreter's defaults.
"""

from __future__ import annotations

import gc

GEN0 = 20_000  # allocations between collections of the youngest generation (CPython: 700)
GEN1 = 20  # young collections between collections of the middle generation (CPython: 10)
GEN2 = 10  # middle collections between full collections (CPython: 10)


def tune() -> tuple[int, int, int]:
    """Freeze what start-up allocated and raise the collection thresholds; returns the thresholds set."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0, GEN1, GEN2)
    return gc.get_threshold()
