"""The heap of a long-running process (a web server's worker, a Celery worker).

Python's cyclic collector re-examines every container object that survived
earlier collections whenever its oldest generation is collected: in a
worker, the modules, classes, templates, font and key caches loaded at start,
a hundred thousand objects or more that live as long as the process. On the
engine's busiest path that scanning was an eighth of the CPU time. Once the
process has loaded what it serves with, ``settle()`` collects once and moves
everything alive into the collector's permanent generation (``gc.freeze()``,
made for this), so later collections look only at what requests create.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect, then leave everything alive now out of future collections."""
    gc.collect()
    gc.freeze()
