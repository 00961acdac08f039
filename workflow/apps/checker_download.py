"""The connectivity checker as one file: a zipapp of the Flask-free ``top`` package.

An applicant runs it on their own host (``python3 top-checker.pyz check --evidence-token …``).
It is built from the code this desk runs, so the host checks exactly what the desk would.
"""

from __future__ import annotations

import shutil
import tempfile
import zipapp
from functools import cache
from io import BytesIO
from pathlib import Path

import top

CHECKER_FILENAME = "top-checker.pyz"
#: What the host needs besides the file itself.
HOST_REQUIREMENTS = "Python 3.11 or newer, with the packages requests and click"
HOST_INSTALL = "python3 -m pip install requests click"


@cache
def checker_zipapp() -> bytes:
    """The zipapp's bytes (built once per process: the code does not change while it runs)."""
    package = Path(top.__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="top-checker-") as work:
        source = Path(work) / "src"
        shutil.copytree(package, source / "top", ignore=shutil.ignore_patterns("__pycache__"))
        target = BytesIO()
        zipapp.create_archive(
            source, target, interpreter="/usr/bin/env python3", main="top.__main__:main"
        )
    return target.getvalue()
