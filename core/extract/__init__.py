"""Turning files into plain text, one module per format family.

``extract(path)`` picks the reader by extension and raises UnsupportedFile with a reason a user
can act on when a file cannot be read. No reader executes anything a file contains.
"""

from nearby.core.extract.registry import EXTENSIONS, Extracted, Section, extract, is_supported

__all__ = ["EXTENSIONS", "Extracted", "Section", "extract", "is_supported"]
