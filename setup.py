"""Build numext's one C extension, numext._numext, from src/.

Extra compiler/linker flags come from NUMEXT_CFLAGS / NUMEXT_LDFLAGS (CI uses
them for -Werror and for the AddressSanitizer/UBSan build); each set of flags
gets its own object directory, and the extension is relinked whenever the
flags differ from the last build's, so nothing built with other flags is
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


FLAGS_TAG = hashlib.sha1(" ".join(EXTRA_CFLAGS + EXTRA_LDFLAGS).encode()).hexdigest()[:8]


class BuildExtPerFlags(build_ext):
    def finalize_options(self):
        super().finalize_options()
        self._flags_stamp = os.path.join(self.build_temp, "last-flags")
        self.build_temp = os.path.join(self.build_temp, "flags-" + FLAGS_TAG)

    def build_extension(self, ext):
        # setuptools skips an extension newer than its sources, and the built
        # .so in build/lib is shared by every set of flags: relink when the
        # flags differ from the last build's, or a -Werror or sanitizer build
        # would silently reuse the plain one.
        try:
            with open(self._flags_stamp) as fh:
                if fh.read() != FLAGS_TAG:
                    self.force = True
        except OSError:
            self.force = True
        super().build_extension(ext)
        os.makedirs(os.path.dirname(self._flags_stamp), exist_ok=True)
        with open(self._flags_stamp, "w") as fh:
            fh.write(FLAGS_TAG)


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
