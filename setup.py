"""Build numext's one C extension, numext._numext, from src/.

Extra compiler/linker flags come from NUMEXT_CFLAGS / NUMEXT_LDFLAGS (CI uses
them for -Werror and for the AddressSanitizer/UBSan build); each set of flags
gets its own build directory so objects built with other flags are never
reused.
"""
import hashlib
import os
import shlex
from glob import glob

import numpy as np
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

EXTRA_CFLAGS = shlex.split(os.environ.get("NUMEXT_CFLAGS", ""))
EXTRA_LDFLAGS = shlex.split(os.environ.get("NUMEXT_LDFLAGS", ""))

# NumPy's npymath (float16 conversions that set NumPy's FP flags).
NPYMATH_DIR = os.path.join(os.path.dirname(np.get_include()), "lib")


class BuildExtPerFlags(build_ext):
    def finalize_options(self):
        super().finalize_options()
        tag = hashlib.sha1(" ".join(EXTRA_CFLAGS + EXTRA_LDFLAGS).encode()).hexdigest()[:8]
        self.build_temp = os.path.join(self.build_temp, "flags-" + tag)


extension = Extension(
    "numext._numext",
    sources=sorted(glob("src/*.c")),
    depends=sorted(glob("src/*.h")),
    include_dirs=[np.get_include(), "src"],
    library_dirs=[NPYMATH_DIR],
    libraries=["npymath", "m"],
    extra_compile_args=[
        "-std=c11",
        "-O3",
        "-ffp-contract=off",  # no FMA contraction: bits must equal NumPy's
        "-fvisibility=hidden",
        "-pthread",
        "-Wall",
        "-Wextra",
    ]
    + EXTRA_CFLAGS,
    extra_link_args=["-pthread"] + EXTRA_LDFLAGS,
)

setup(ext_modules=[extension], cmdclass={"build_ext": BuildExtPerFlags})
