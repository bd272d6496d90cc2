"""The one error type of the reference-data layer.

A bad reference file must stop an import with its location (file and line) and
leave the store as it was; the CLI turns this into exit code 2.
"""
from __future__ import annotations

from typing import Optional


class RefDataError(Exception):
    """A reference file that cannot be read, or a store that cannot be used.

    ``file`` and ``line`` (1-based) say where, when known; ``str()`` renders
    ``file:line: message`` like a compiler error.
    """

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"
