"""threadpoolctl support: lets ``threadpool_info()`` and ``threadpool_limits()``
see and limit numext's thread pool like OpenBLAS's or OpenMP's.

threadpoolctl (>= 3.2) finds the loaded shared libraries whose file name starts
with one of a controller's ``filename_prefixes`` and drives them through ctypes.
numext's C extension (``numext/_numext.cpython-*.so``) exports two C symbols
for that purpose:

    int numext_threadpool_get_num_threads(void);
    int numext_threadpool_set_num_threads(int n);   /* 0, or -1 out of range */

``install()`` is what ``numext/__init__.py`` calls. It is cheap and never
raises: when threadpoolctl is already imported it registers the controller at
once; otherwise it leaves a tiny import hook that registers the controller
right after threadpoolctl is first imported, so ``import numext`` never pays for
importing threadpoolctl (and works without it installed).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["install", "register", "NUMEXT_USER_API"]

NUMEXT_USER_API = "numext"
_MIN_VERSION = (3, 2)  # threadpoolctl.register / LibController appeared in 3.2.0

# The threadpoolctl module object numext is registered with (a reimported
# threadpoolctl is a new object with fresh controller lists).
_registered_module: Any = None


def _make_controller_class(threadpoolctl: Any) -> type:
    from . import _numext

    max_threads = int(_numext.MAX_THREADS)

    class NumextController(threadpoolctl.LibController):  # type: ignore[misc]
        """threadpoolctl controller for numext's process-wide pthread pool."""

        user_api = NUMEXT_USER_API
        internal_api = "numext"
        filename_prefixes = ("_numext",)
        check_symbols = (
            "numext_threadpool_get_num_threads",
            "numext_threadpool_set_num_threads",
        )

        def get_num_threads(self) -> int | None:
            get = getattr(self.dynlib, "numext_threadpool_get_num_threads", None)
            if get is None:
                return None  # threadpoolctl's "unknown"
            get.restype = _ctypes_int()
            get.argtypes = []
            return int(get())

        def set_num_threads(self, num_threads: int) -> int | None:
            set_ = getattr(self.dynlib, "numext_threadpool_set_num_threads", None)
            if set_ is None:
                return None
            set_.restype = _ctypes_int()
            set_.argtypes = [_ctypes_int()]
            # threadpool_limits(limits=n) passes any positive int; the pool
            # takes 1..MAX_THREADS, so clamp instead of failing the limit.
            n = max(1, min(int(num_threads), max_threads))
            return int(set_(n))

        def get_version(self) -> str | None:
            numext = sys.modules.get("numext")
            return getattr(numext, "__version__", None)

    NumextController.__module__ = __name__
    NumextController.__qualname__ = "NumextController"
    return NumextController


def _ctypes_int() -> Any:
    import ctypes

    return ctypes.c_int


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def register() -> bool:
    """Register numext's controller with threadpoolctl (imports it); idempotent.

    Returns True when numext is (now) registered, False when threadpoolctl is
    missing or older than 3.2. Never raises.
    """
    try:
        import threadpoolctl  # type: ignore[import-untyped, unused-ignore]
    except Exception:  # noqa: BLE001 - a broken threadpoolctl must not break numext
        return False
    return _register_with(threadpoolctl)


def _register_with(threadpoolctl: Any) -> bool:
    global _registered_module
    if threadpoolctl is _registered_module:
        return True
    try:
        if _version_tuple(getattr(threadpoolctl, "__version__", "0")) < _MIN_VERSION:
            return False
        if not hasattr(threadpoolctl, "register") or not hasattr(threadpoolctl, "LibController"):
            return False
        threadpoolctl.register(_make_controller_class(threadpoolctl))
        _registered_module = threadpoolctl
        return True
    except Exception:  # noqa: BLE001 - an incompatible threadpoolctl: not registered
        return False


class _RegisterOnImport:
    """A ``sys.meta_path`` entry that registers numext right after
    ``import threadpoolctl`` runs, then removes itself.

    It finds threadpoolctl's spec through the other finders and wraps only
    that loader's ``exec_module``; every other import returns None at once.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "threadpoolctl":
            return None
        # Not removed from sys.meta_path here: the import machinery is
        # iterating over that list right now. exec_then_register removes it.
        try:
            spec = None
            for finder in list(sys.meta_path):
                find_spec = getattr(finder, "find_spec", None)
                if finder is self or find_spec is None:
                    continue
                spec = find_spec(fullname, path, target)
                if spec is not None:
                    break
            loader: Any = getattr(spec, "loader", None)
            exec_module = getattr(loader, "exec_module", None)
            if exec_module is None:
                return spec

            def exec_then_register(module: Any) -> None:
                self._remove()
                try:
                    del loader.exec_module  # back to the class's method
                except AttributeError:
                    pass
                exec_module(module)
                _register_with(module)

            loader.exec_module = exec_then_register
            return spec
        except Exception:  # noqa: BLE001 - the import goes on without us
            return None  # let the normal machinery import it, unregistered

    def _remove(self) -> None:
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass

    def invalidate_caches(self) -> None:
        pass


def install() -> None:
    """Make threadpoolctl see numext, now or when threadpoolctl gets imported.

    Cheap (threadpoolctl is not imported here) and never raises.
    """
    try:
        module = sys.modules.get("threadpoolctl")
        if module is not None:
            _register_with(module)
        elif not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path):
            sys.meta_path.insert(0, _RegisterOnImport())
    except Exception:  # noqa: BLE001 - documented: never raises
        pass
