"""``python -m numext``: the tutorial's benchmark, measured (see numext/_main/__init__.py)."""

from ._main import main

if __name__ == "__main__":
    raise SystemExit(main())
