"""Extra showcase sections: the one place to plug a new section into ``python -m numext``.

A section is a function ``run(cfg, out)``:

- ``cfg``: the run's :class:`~numext._main.config.Config` (``cfg.quick``: keep to
  a second or two; ``cfg.threads``: the pool sizes to show; ``cfg.repeat``: best of);
- ``out``: the text stream of the report; print a heading and the section's
  lines to it (never to stdout: with ``--json`` stdout holds the JSON);
- returns JSON-able data (dicts, lists, str, int, float, bool, None), stored
  under ``"extra_sections"[name]`` in ``--json``'s output. A dict with
  ``"ok": False`` marks the run as not verified (exit status 1), as a failed
  check of numext against NumPy does.

To add one, import its module here and append ``(name, function)`` to
``EXTRA_SECTIONS``, e.g.::

    from .. import _demo_fsum, _demo_parallel

    EXTRA_SECTIONS = (
        ("fsum", _demo_fsum.run),
        ("parallel", _demo_parallel.run),
    )

They run in this order after the tutorial's table (section 4), inside the
other-load measurement, so their timings share the run's quiet-machine note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from .. import _demo_fsum, _demo_parallel
from .config import Config

Section = Callable[[Config, TextIO], Any]

#: (JSON key, function) of each extra section, in report order.
EXTRA_SECTIONS: tuple[tuple[str, Section], ...] = (
    ("parallel", _demo_parallel.run),
    ("fsum", _demo_fsum.section_fsum),
)


def run_extra_sections(cfg: Config, out: TextIO) -> dict[str, Any]:
    """Each registered section's data, by name."""
    results: dict[str, Any] = {}
    for name, run in EXTRA_SECTIONS:
        print(file=out)
        results[name] = run(cfg, out)
    return results


def extra_sections_ok(results: dict[str, Any]) -> bool:
    """False when a section returned a dict with ``"ok": False``."""
    return all(not (isinstance(data, dict) and data.get("ok") is False) for data in results.values())
