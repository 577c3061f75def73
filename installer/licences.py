"""Where every file of the bundle comes from, under which licence, with the licence texts beside it.

PyInstaller's own tables of contents (COLLECT-00.toc: every file placed in the bundle with its source;
PYZ-00.toc: every Python module frozen into the executable) say where each file was copied from.
Each source is then traced to what shipped it:
- a Python distribution (its RECORD lists the file): the distribution's licence; its licence files;
- a system library (the build host's package manager owns the file: dpkg or rpm): the package's
  licence (its copyright file);
- the Python interpreter (its standard library, extension modules, libpython): PSF-2.0;
- PyInstaller's bootloader (the executable): GPL-2.0 with the bootloader exception;
- Nearby's own sources, models (the catalog's licences), the sample collection.
A file with no known origin fails the build, and so does GPL/AGPL code unless it carries an exception
that allows shipping it in any program (the GCC runtime library exception of libgfortran, the
bootloader exception) — those are listed as such.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

LICENCE_FILE = re.compile(r"(^|/)(licen[cs]es?|copying|notice|authors|thirdpartynotices)[^/]*$", re.IGNORECASE)
# Libraries that wheels vendor (auditwheel's *.libs folders), by name: their own licence, which the
# wheel's licence file reproduces (numpy's and scipy's LICENSE.txt list their GCC runtime libraries).
GCC_RUNTIME = "GPL-3.0-or-later WITH GCC-exception-3.1"
VENDORED = {"libgfortran": GCC_RUNTIME, "libgomp": GCC_RUNTIME, "libquadmath": "LGPL-2.1-or-later",
            "libscipy_openblas": "BSD-3-Clause"}
# Parts of a distribution under another licence than its metadata states, per its licence file:
# PyInstaller's run-time hooks and run-time modules are Apache-2.0, its loader has the bootloader
# exception (COPYING.txt, "Bootloader and Related Files", "Run-time Hooks").
PARTS = {("pyinstaller", "PyInstaller/fake-modules"): "Apache-2.0", ("pyinstaller", "PyInstaller/hooks/rthooks"):
         "Apache-2.0", ("pyinstaller", "PyInstaller/loader"): "GPL-2.0-or-later WITH PyInstaller bootloader exception"}
EXCEPTION = re.compile(r"exception", re.IGNORECASE)
PYTHON_LICENCE = "PSF-2.0"
BOOTLOADER_LICENCE = "GPL-2.0-or-later WITH PyInstaller bootloader exception"


@dataclass(frozen=True)
class Origin:
    """What shipped a file: kind (distribution, system, python, bootloader, nearby, model, sample),
    its name and version, its licence, and the files holding the licence's text."""

    kind: str
    name: str
    version: str
    licence: str
    texts: tuple[Path, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()


def forbidden(licence: str) -> bool:
    """GPL or AGPL without a linking exception; LGPL and "X OR LGPL" choices are fine."""
    upper = licence.upper()
    if "LGPL" in upper or "LESSER GENERAL" in upper or "LIBRARY GENERAL" in upper or EXCEPTION.search(licence):
        return False
    return "GPL" in upper or "GENERAL PUBLIC LICENSE" in upper


def toc(path: Path) -> list[tuple[str, str, str]]:
    """A PyInstaller table of contents: (name in the bundle, source path, type code) triples."""
    value = ast.literal_eval(path.read_text())
    entries = next((v for v in value if isinstance(v, list)), []) if isinstance(value, tuple) else value
    return [tuple(e) for e in entries if isinstance(e, tuple | list) and len(e) == 3]  # type: ignore[misc]


def _requires(dist: md.Distribution, other: md.Distribution) -> bool:
    """Whether dist requires other (by name, as its metadata lists it)."""
    wanted = re.sub(r"[-_.]+", "-", other.metadata["Name"]).lower()
    return any(re.sub(r"[-_.]+", "-", re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0]).lower() == wanted
               for r in dist.requires or [])


def _dist_licence(dist: md.Distribution) -> str:
    meta = dist.metadata
    if meta.get("License-Expression"):
        return str(meta["License-Expression"])
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    if classifiers:
        return "; ".join(classifiers)
    first = (meta.get("License") or "").strip().splitlines()
    return first[0][:120] if first else "see its licence file"


class Tracer:
    """Traces source paths to their origins (built once per build: RECORD files read once)."""

    def __init__(self, own: dict[Path, Origin], nearby: Origin) -> None:
        self.own = {p.resolve(): o for p, o in own.items()}
        self.nearby = nearby
        self.by_file: dict[Path, md.Distribution] = {}
        for dist in md.distributions():
            for entry in dist.files or []:
                path = Path(dist.locate_file(entry)).resolve()
                # A file two distributions claim (PySide6/__init__.py: Essentials and Addons) belongs to
                # the one the other requires.
                if path not in self.by_file or _requires(self.by_file[path], dist):
                    self.by_file[path] = dist
        self.python_root = Path(sys.base_prefix).resolve()
        self.stdlib = Path(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["stdlib"])
        self.system: dict[Path, Origin | None] = {}

    def origin(self, source: Path) -> Origin | None:
        resolved = source.resolve()
        dist = self.by_file.get(resolved)  # first: a virtual environment may sit inside the checkout
        if dist is not None:
            return self._distribution(dist, resolved)
        for root, origin in self.own.items():  # the most specific first (the caller's order)
            if resolved == root or resolved.is_relative_to(root):
                return origin
        if resolved.is_relative_to(self.python_root) and "site-packages" not in resolved.parts:
            return Origin("python", "Python", sys.version.split()[0], PYTHON_LICENCE,
                          tuple(p for p in (self.stdlib / "LICENSE.txt",) if p.is_file()))
        return self._system(resolved)

    def _distribution(self, dist: md.Distribution, path: Path) -> Origin:
        texts = tuple(sorted(Path(dist.locate_file(f)) for f in dist.files or [] if LICENCE_FILE.search(str(f))
                             and Path(dist.locate_file(f)).is_file()))
        licence = _dist_licence(dist)
        name = dist.metadata["Name"]
        if name.lower() == "nearby":
            return self.nearby
        inside = path.relative_to(Path(dist.locate_file("")).resolve()).as_posix()
        for (owner, folder), part_licence in PARTS.items():
            if name.lower() == owner and inside.startswith(folder + "/"):
                return Origin("distribution", f"{name}: {folder.rsplit('/', 1)[-1]}", dist.version, part_licence, texts)
        if any(part.endswith(".libs") for part in path.parts):  # vendored by auditwheel: its own licence
            library = path.name.split(".so")[0].rsplit("-", 1)[0] if "-" in path.name else path.name.split(".so")[0]
            vendored = next((v for prefix, v in VENDORED.items() if path.name.startswith(prefix)), None)
            return Origin("distribution", f"{name}: {library.split('-')[0]}", dist.version,
                          vendored or f"{licence} (vendored in its wheel; see its licence file)", texts)
        return Origin("distribution", name, dist.version, licence, texts)

    def _system(self, path: Path) -> Origin | None:
        if path not in self.system:
            self.system[path] = _owned_by_package(path)
        return self.system[path]


def _owned_by_package(path: Path) -> Origin | None:
    """The build host's package that installed a file (dpkg, else rpm), with its licence."""
    if shutil.which("dpkg-query"):
        for candidate in dict.fromkeys((str(path), str(path).replace("/usr/lib/", "/lib/", 1))):
            done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False)
            if done.returncode == 0 and ":" in done.stdout:
                package = done.stdout.split(":", 1)[0].split(",")[0].strip()
                version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                                         text=True, check=False).stdout.strip()
                name = package.split(":")[0]
                copyright_file = Path("/usr/share/doc") / name / "copyright"
                text = copyright_file.read_text(errors="replace") if copyright_file.is_file() else ""
                return Origin("system", name, version, _debian_licence(name, text),
                              (copyright_file,) if copyright_file.is_file() else ())
    if shutil.which("rpm"):
        done = subprocess.run(["rpm", "-qf", "--qf", "%{NAME}\t%{VERSION}\t%{LICENSE}", str(path)],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.count("\t") == 2:
            name, version, licence = done.stdout.split("\t")
            docs = sorted(Path("/usr/share/licenses").joinpath(name).glob("*"))
            return Origin("system", name, version, licence, tuple(docs))
    return None


# Packages whose Debian copyright file is not machine-readable, by name prefix: the X.org libraries
# (libX11, libxcb and its utilities, libXau, libXdmcp, xkbcommon) are all under the MIT/X11 licence.
NOT_MACHINE_READABLE = {"libx11": "MIT", "libxcb": "MIT", "libxau": "MIT", "libxdmcp": "MIT", "libxkbcommon": "MIT",
                        "libxext": "MIT", "libxrender": "MIT", "libfontconfig": "MIT", "libpixman": "MIT"}


def _debian_licence(package: str, text: str) -> str:
    """The licence of a package's own code from its copyright file: in the machine-readable format
    (DEP-5), the `Files: *` paragraph's (other paragraphs cover build scripts, tests and docs);
    else a known licence for the package, else what the file says cannot be read here."""
    for paragraph in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^(Files|License):[ \t]*(.*)$", paragraph, re.MULTILINE))
        if fields.get("Files", "").split()[:1] == ["*"] and fields.get("License"):
            return fields["License"].strip()
    for prefix, licence in NOT_MACHINE_READABLE.items():
        if package.lower().startswith(prefix):
            return licence
    return "unknown (its copyright file is not machine-readable)"


@dataclass
class Audit:
    """Every bundled file with its origin; what has none; what is refused."""

    files: dict[str, Origin]
    unknown: list[str]
    refused: list[str]

    def origins(self) -> list[Origin]:
        return sorted(set(self.files.values()), key=lambda o: (o.kind, o.name.lower()))


def audit(work: Path, bundle: Path, tracer: Tracer) -> Audit:
    """Every file left in the bundle (the tables of contents list what the build later removed too)
    and every frozen module, traced. A file of unknown licence is refused as GPL would be."""
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    entries = toc(work / "COLLECT-00.toc") + toc(work / "PYZ-00.toc")
    files: dict[str, Origin] = {}
    unknown, refused = [], []
    for name, source, kind in entries:
        if kind in ("DEPENDENCY", "SYMLINK") or not source:
            continue
        if kind != "PYMODULE" and not ((internal / name).exists() or (bundle / name).exists()):
            continue  # removed after PyInstaller (pruned, a system library, an orphan)
        origin = tracer.origin(Path(source))
        label = name if kind != "PYMODULE" else f"{name} (module)"
        if origin is None:
            unknown.append(f"{label} ← {source}")
            continue
        files[label] = origin
        if forbidden(origin.licence) or origin.licence.startswith("unknown"):
            refused.append(f"{label}: {origin.label} ({origin.licence})")
    return Audit(files, unknown, refused)


def write_texts(audit: Audit, folder: Path, extra: dict[str, Path]) -> None:
    """The licence texts of every origin into folder/<kind>/<name>/, plus the extra texts named."""
    shutil.rmtree(folder, ignore_errors=True)
    for origin in audit.origins():
        target = folder / origin.kind / origin.name
        for text in origin.texts:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(text, target / text.name)
    for name, path in extra.items():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / name)


def listing(audit: Audit) -> str:
    """FILES.txt: each bundled file (and frozen module) with what shipped it and its licence."""
    lines = [f"{name}\t{o.kind}: {o.label}\t{o.licence}" for name, o in sorted(audit.files.items())]
    return "\n".join(lines) + "\n"
