"""``python -m numext``: the tutorial's benchmark, measured (see numext/_demo.py)."""

from ._demo import main

if __name__ == "__main__":
    raise SystemExit(main())
