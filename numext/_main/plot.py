"""``--plot``: throughput against array size per implementation and thread count (matplotlib)."""

from __future__ import annotations

from typing import Any

from .config import Config
from .measure import environment
from .results import Section


def plot(sections: list[Section], bandwidth: dict[str, Any], cfg: Config, path: str) -> str | None:
    """Write the plot to ``path``; returns why not (matplotlib missing) or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot written (pip install matplotlib)"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, kind, ceiling, name in [
        (axes[0], "double", bandwidth["copy_GBps"], "copy"),
        (axes[1], "sum", bandwidth["read_GBps"], "read"),
    ]:
        secs = sorted((s for s in sections if s.kind == kind and len(s.shape) == 1), key=lambda s: s.shape[0])
        keys = ["numpy"] + [f"numext-{t}t" for t in cfg.threads] + ["numext-pythreads", "numexpr", "numba"]
        for key in keys:
            points = [(s.shape[0], r.GBps) for s in secs for r in s.rows if r.key == key and r.GBps]
            if points:
                label = next(r.label for s in secs for r in s.rows if r.key == key)
                ax.plot(*zip(*points), marker="o", label=label)
        ax.axhline(ceiling, color="grey", linestyle="--", label=f"{name} bandwidth (NumPy, same run)")
        ax.set_xscale("log")
        ax.set_xlabel("float64 elements")
        ax.set_ylabel("GB/s")
        ax.set_title("double_pixels(x), fresh output" if kind == "double" else "parallel_sum(x)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"numext throughput, {environment()['cpu']}, threads {cfg.threads}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None
