"""Errors raised at the public boundary. All are ``ValueError`` subclasses."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with an input file: missing, empty, undecodable, unknown format, no letters.

    The message always names the file and the problem, e.g.
    ``"data/x.txt: not UTF-8 text (invalid byte 0xb9 at offset 12); ..."``.

    Attributes:
        path: the file concerned (``""`` when the input did not come from a file).
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)
