"""How the desk writes numbers for people, the same in pages, mail and packets."""

from __future__ import annotations

_UNITS = ("KB", "MB", "GB", "TB")


def file_size(size: int | None) -> str:
    """One spelling of a file's size: '812 bytes', '1.9 KB', '25.1 MB' (1 KB = 1,024 bytes)."""
    if size is None:
        return ""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:,.1f} {unit}"
    raise AssertionError("unreachable")
