"""The Debian/Ubuntu package: the bundle folder as /opt/nearby, the `nearby` command on PATH, a menu
entry, the icon set, the notices as the package's copyright file; built with `dpkg-deb`.

    /opt/nearby/                               the bundle (Nearby, _internal/, licenses/, …)
    /usr/bin/nearby                            the command line (`Nearby --cli`)
    /usr/share/applications/nearby.desktop     the menu entry (folders dropped on it are added: %F)
    /usr/share/icons/hicolor/*/apps/nearby.*   16–512 px and scalable
    /usr/share/doc/nearby/copyright            THIRD-PARTY-NOTICES.txt

Its dependencies are the system libraries the bundle leaves to the system (installer/build.py:
SYSTEM_LIBRARIES and SYSTEM_LINKED) and glibc at its computed floor. `apt remove nearby` takes every
file back; each person's library, cache and log stay in their home folder (uninstall.sh, for the
tarball, removes those of the person running it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PACKAGE = "nearby"
PREFIX = Path("opt") / "nearby"
WRAPPER = """#!/bin/sh
# Nearby's command line (the bundle in /opt/nearby, found relative to this file so that a package
# unpacked under another root runs too).
exec "$(dirname "$(readlink -f "$0")")/../../opt/nearby/Nearby" --cli "$@"
"""
# Menus and icon caches are refreshed where the tools exist (and not at all in an unpacked root).
REFRESH = """#!/bin/sh
set -e
if [ -z "${DPKG_ROOT:-}" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
exit 0
"""


def architecture() -> str:
    done = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "amd64"


def depends(libraries: dict[str, str], glibc: tuple[int, ...]) -> str:
    """The Depends field: glibc at the floor, then each package once (in first-seen order)."""
    packages = dict.fromkeys(p for p in libraries.values() if p != "libc6")
    return ", ".join([f"libc6 (>= {'.'.join(map(str, glibc))})", *packages])


def build(bundle: Path, out: Path, version: str, libraries: dict[str, str], glibc: tuple[int, ...],
          compression: str = "xz") -> Path:
    """Make out/nearby_<version>_<arch>.deb from the bundle folder (with its icons/ and nearby.desktop)."""
    arch = architecture()
    tree = out / f"{PACKAGE}-deb-tree"
    shutil.rmtree(tree, ignore_errors=True)
    app = tree / PREFIX
    shutil.copytree(bundle, app, symlinks=True,
                    ignore=shutil.ignore_patterns("install.sh", "uninstall.sh", "nearby.desktop"))
    bin_dir = tree / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / PACKAGE).write_text(WRAPPER)
    (bin_dir / PACKAGE).chmod(0o755)
    menu = tree / "usr" / "share" / "applications"
    menu.mkdir(parents=True)
    entry = (bundle / "nearby.desktop").read_text().replace("@EXEC@", f"/{PREFIX}/Nearby")
    (menu / "nearby.desktop").write_text(entry)
    shutil.copytree(bundle / "icons", tree / "usr" / "share" / "icons")
    doc = tree / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copy2(bundle / "THIRD-PARTY-NOTICES.txt", doc / "copyright")
    size_kib = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    control = tree / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {arch}\n"
        "Maintainer: Nearby developers <nearby@localhost>\n"
        f"Installed-Size: {size_kib}\nDepends: {depends(libraries, glibc)}\nSection: utils\nPriority: optional\n"
        "Description: find your own documents, photos and songs by what they mean, offline\n"
        " Nearby searches the folders you point it at by meaning: typed words find passages in\n"
        " documents, photos and songs in one ranked list; any file leads to its look-alikes; the\n"
        " whole collection can be seen as a map. Everything runs on this computer; nothing is sent.\n")
    for script in ("postinst", "postrm"):
        (control / script).write_text(REFRESH)
        (control / script).chmod(0o755)
    for path in [tree, *tree.rglob("*")]:  # whatever the build's umask: a package readable by every user
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
    target = out / f"{PACKAGE}_{version}_{arch}.deb"
    level = ["-z1"] if compression == "gzip" else []
    done = subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", *level, "--build", str(tree),
                           str(target)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dpkg-deb failed: {done.stderr.strip()}")
    shutil.rmtree(tree)
    return target
