"""What a Linux bundle's native files need from the system they run on, read from the ELF files
themselves (no binutils needed): the libraries each one links (DT_NEEDED) and the symbol versions it
asks of them (.gnu.version_r) — so the lowest glibc (and libstdc++) the bundle can start with is computed, not guessed.

    python installer/elf.py dist/Nearby        # the glibc and libstdc++ floors, and the files that set them
"""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"\x7fELF"
SHT_DYNAMIC = 6
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERDEF = 0x6FFFFFFD
DT_NEEDED = 1
_VERSION = re.compile(r"^([A-Z]+)_(\d+(?:\.\d+)*)$")


@dataclass
class Needs:
    """One ELF file's demands: the libraries it links and, per library, the symbol versions."""

    libraries: list[str] = field(default_factory=list)
    versions: dict[str, set[str]] = field(default_factory=dict)
    defines: set[str] = field(default_factory=set)  # the symbol versions it provides (a library's)

    def newest(self, family: str = "GLIBC") -> tuple[int, ...]:
        """The newest version of a family (GLIBC, GLIBCXX, CXXABI, GCC) this file asks for; () when none."""
        found = [tuple(int(n) for n in m[2].split(".")) for names in self.versions.values() for v in names
                 if (m := _VERSION.match(v)) and m[1] == family]
        return max(found, default=())


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == MAGIC
    except OSError:
        return False


def elf_files(folder: Path) -> Iterator[Path]:
    """Every regular ELF file under folder (links are followed to files counted on their own)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and is_elf(path):
            yield path


def _string(table: bytes, offset: int) -> str:
    end = table.find(b"\0", offset)
    return table[offset : end if end >= 0 else len(table)].decode("ascii", "replace")


def needs(path: Path) -> Needs:
    """Read the dynamic section and the version-needs section of one ELF file (64- or 32-bit, either
    byte order). A file that is not ELF, or is cut short, needs nothing."""
    data = path.read_bytes()
    out = Needs()
    if data[:4] != MAGIC or len(data) < 64:
        return out
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    try:
        if wide:
            shoff, = struct.unpack_from(order + "Q", data, 0x28)
            shentsize, shnum = struct.unpack_from(order + "HH", data, 0x3A)
        else:
            shoff, = struct.unpack_from(order + "I", data, 0x20)
            shentsize, shnum = struct.unpack_from(order + "HH", data, 0x2E)
        sections = []
        for i in range(shnum):
            at = shoff + i * shentsize
            if wide:
                _, kind, _, _, offset, size, link, info, _, entsize = struct.unpack_from(order + "IIQQQQIIQQ", data, at)
            else:
                _, kind, _, _, offset, size, link, info, _, entsize = struct.unpack_from(order + "IIIIIIIIII", data, at)
            sections.append((kind, offset, size, link, info, entsize))
        for kind, offset, size, link, info, _ in sections:
            strings = data[sections[link][1] : sections[link][1] + sections[link][2]] if link < len(sections) else b""
            if kind == SHT_DYNAMIC:
                entry = 16 if wide else 8
                for at in range(offset, offset + size, entry):
                    tag, value = struct.unpack_from(order + ("qQ" if wide else "iI"), data, at)
                    if tag == 0:
                        break
                    if tag == DT_NEEDED:
                        out.libraries.append(_string(strings, value))
            elif kind == SHT_GNU_VERDEF:
                at = offset
                for _ in range(info):  # info: the number of Verdef entries
                    _, _, _, count, _, aux, following = struct.unpack_from(order + "HHHHIII", data, at)
                    if count:
                        name, = struct.unpack_from(order + "I", data, at + aux)
                        out.defines.add(_string(strings, name))
                    if not following:
                        break
                    at += following
            elif kind == SHT_GNU_VERNEED:
                at = offset
                for _ in range(info):  # info: the number of Verneed entries
                    _, count, file_name, aux, following = struct.unpack_from(order + "HHIII", data, at)
                    library = _string(strings, file_name)
                    names = out.versions.setdefault(library, set())
                    vernaux = at + aux
                    for _ in range(count):
                        _, _, _, name, next_aux = struct.unpack_from(order + "IHHII", data, vernaux)
                        names.add(_string(strings, name))
                        if not next_aux:
                            break
                        vernaux += next_aux
                    if not following:
                        break
                    at += following
    except (struct.error, IndexError):
        return out
    return out


def floor(folder: Path, family: str = "GLIBC") -> tuple[tuple[int, ...], list[Path]]:
    """The lowest version of a family (GLIBC: the C library; GLIBCXX: the system's libstdc++) the
    folder's ELF files can run with, and the files that ask for exactly that."""
    newest: tuple[int, ...] = ()
    culprits: list[Path] = []
    for path in elf_files(folder):
        version = needs(path).newest(family)
        if version > newest:
            newest, culprits = version, [path]
        elif version == newest and version:
            culprits.append(path)
    return newest, culprits


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("dist/Nearby")
    for family in ("GLIBC", "GLIBCXX"):
        version, culprits = floor(folder, family)
        print(f"{family} >= {'.'.join(map(str, version)) or 'nothing'}, set by:")
        for path in culprits[:10]:
            print(f"  {path.relative_to(folder)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
