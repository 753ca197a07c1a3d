"""Short text for figures: times, speed-ups, byte counts, sizes, shapes, check marks."""

from __future__ import annotations

from typing import Any, TextIO


def check_marks(out: TextIO) -> dict[str, str]:
    """The mark per check result, plain ASCII where ``out`` cannot encode ✓≈✗."""
    enc = getattr(out, "encoding", None) or "ascii"
    try:
        "✓≈✗".encode(enc)
        return {"exact": "✓", "close": "≈", "differs": "✗"}
    except (UnicodeEncodeError, LookupError):
        return {"exact": "ok", "close": "~", "differs": "XX"}


def format_time(t: float | None) -> str:
    if t is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def format_speedup(v: float | None) -> str:
    """12.3x, 1,234x, 1/25x."""
    if v is None:
        return "-"
    if 0 < v < 0.1:
        return f"1/{1 / v:,.0f}x"
    if v >= 100:
        return f"{v:,.0f}x"
    return f"{v:.2f}x" if v < 10 else f"{v:.1f}x"


def format_bytes(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def format_count(n: int) -> str:
    """1e7, 4e6 for round sizes, else 12,345."""
    digits = str(n).rstrip("0")
    zeros = len(str(n)) - len(digits)
    return f"{digits}e{zeros}" if len(digits) == 1 and zeros >= 3 else f"{n:,}"


def format_shape(a: Any) -> str:
    """512x512x3, from an array or a shape."""
    shape = a.shape if hasattr(a, "shape") else a
    return "x".join(map(str, shape))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def threads_text(threads: list[int]) -> str:
    return plural(len(threads), "pool size") + " (" + ", ".join(map(str, threads)) + " threads)"
