"""What the CLI prints is safe to print: file names cannot drive the terminal, odd bytes cannot stop it.

A file may be named with terminal escape sequences (ESC [ 2 J clears the screen; OSC 52 writes
the clipboard) or right-to-left overrides that make `gpj.exe` read as `exe.jpg`; a name that is
not valid UTF-8 reaches Python as surrogates, which a UTF-8 stream refuses with a traceback.
"""

from __future__ import annotations

import sys
import unicodedata

# Characters that reorder text on screen (bidi embeddings, overrides and isolates).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def printable(text: str) -> str:
    """``text`` with control characters, bidi controls and undecodable bytes written as escapes
    (\\x1b, \\u202e, \\xe9): what it is, shown, never obeyed."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if not c.isprintable() and c != " " else c for c in text)


def _escape(c: str) -> str:
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if c in _BIDI or unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp"):
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return c


def tolerant_streams() -> None:
    """stdout and stderr write what they cannot encode as escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
