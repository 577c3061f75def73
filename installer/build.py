"""Build the double-click bundle for the OS this runs on: `python installer/build.py`.

    python installer/build.py                  # → dist/Nearby/ (PyInstaller one-folder) + the OS package
    python installer/build.py --skip-package   # the folder only
    python installer/build.py --self-test      # … then run the bundle's self-test
    python installer/build.py --fast           # light compression of the packages (the tests use it)

Steps (each says what it does on stderr):
1. the build tools: PyInstaller, pinned, into the running environment (a developer's `.venv`);
2. the default models, checked against the catalog's sha256s, copied from the models folder (or
   installed there first), plus the word answers prepared for the default text model, into
   build/bundle/models;
3. a staging copy of the sources as the `nearby` package (the repo maps core/, desktop/, models/ onto
   `nearby.*`, which PyInstaller cannot follow through an editable install);
4. PyInstaller: one folder, the executable `Nearby` (installer/entry.py), the icon, the models and the
   sample collection inside; the install-time converters' heavy dependencies left out;
   On Linux the libraries every desktop has are left to the system (SYSTEM_LIBRARIES), identical
   vendored copies are linked, and the build fails if a file asks for a newer glibc or libstdc++
   than GLIBC_FLOOR / GLIBCXX_FLOOR (installer/elf.py reads them from the ELF files);
5. the icons, 16–512 px and scalable, drawn from desktop/icon.svg (installer/icons.py);
6. THIRD-PARTY-NOTICES.txt and licenses/: every bundled file traced to what shipped it (a Python
   distribution, a system package, the interpreter, PyInstaller's bootloader, a model) with its
   licence and licence texts (installer/licences.py); the build fails on a file of unknown origin
   and on GPL/AGPL code without a linking exception (LGPL is fine);
7. the OS package: Linux — `Nearby-<version>-linux-x86_64.tar.gz` with install.sh / uninstall.sh
   (a freedesktop menu entry and icons in the user's folders; no AppImage: appimagetool is not on
   the package registries), `nearby_<version>_amd64.deb` (installer/deb.py) and SHA256SUMS;
   Windows — an Inno Setup script (installer/windows/nearby.iss) run by `iscc` when present;
   macOS — `Nearby.app` (PyInstaller's BUNDLE) and a .dmg by `hdiutil`.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: `installer.elf` and co. by their package name
    sys.path.insert(0, str(ROOT))

from installer.elf import elf_files, floor, needs  # noqa: E402

BUILD = ROOT / "build" / "bundle"  # (re)set by --out: <out>/build
DIST = ROOT / "dist"
PYINSTALLER = "pyinstaller==6.22.3"
NAME = "Nearby"
# Needed only by the install step's converters (checkpoints → ONNX) or by tools, never at run time;
# ssl and _hashlib: nothing goes to the network, and hashlib has its own sha256 (drops OpenSSL);
# the parts of scipy and scikit-learn that openTSNE never loads (the self-test draws a map); the
# standard library's sqlite3 and its libsqlite3 (the library is read through apsw, its own SQLite).
EXCLUDED_MODULES = ("onnx", "onnxruntime.quantization", "onnxruntime.tools", "onnxruntime.transformers",
                    "onnxruntime_extensions.pnp", "torch", "tensorflow", "matplotlib", "IPython", "pytest",
                    "mypy", "ruff", "tkinter", "PyInstaller", "setuptools", "pip", "ssl", "_ssl", "_hashlib",
                    "scipy.io", "scipy.signal", "scipy.odr", "scipy.datasets", "scipy.misc", "scipy.cluster",
                    "sklearn.tree", "sklearn.datasets", "sklearn.cluster", "sklearn.ensemble",
                    "sklearn.feature_extraction", "sklearn.manifold", "sklearn.mixture", "sklearn.neural_network",
                    "sklearn.semi_supervised", "sklearn.impute", "sklearn.inspection", "lxml.objectify", "lxml.html",
                    "lxml.isoschematron", "lxml.sax", "pygments", "rich", "pydoc_data", "distutils", "sqlite3",
                    "yaml")
# Qt modules the app never imports but PySide6's hooks could drag in; and QtMultimedia: its FFmpeg
# and the Qt Quick/QML it links weigh ~50 MB, which the 450 MB budget cannot carry beside the models,
# so in the bundle a song plays in the system's player (desktop/player.py falls back by itself).
EXCLUDED_QT = ("PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtNetwork",
               "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtQuick", "PySide6.QtQml",
               "PySide6.Qt3DCore", "PySide6.QtPdf", "PySide6.QtCharts", "PySide6.QtDataVisualization",
               "PySide6.QtGraphs", "PySide6.QtLocation", "PySide6.QtBluetooth", "PySide6.QtDesigner",
               "readline")  # GNU Readline is GPL-3 (and only the interactive interpreter uses it)
# Distributions packed with their data or native libraries that PyInstaller's import analysis misses.
COLLECT_ALL = ("sqlite_vec", "pypdfium2", "pypdfium2_raw", "docx", "soxr")
COLLECT_BINARIES = ("onnxruntime_extensions", "_soundfile_data")
COLLECT_SUBMODULES = ("nearby", "openTSNE")
# Parts of Qt the app does not use (it is English, on X11 or Wayland, and offline), removed from
# the frozen folder: translations, the on-screen keyboard, embedded-display platforms, network
# status and TLS, the GTK theme (which pulls GTK's libraries in), and the AVIF decoder of Pillow.
PRUNED = ("PySide6/Qt/translations", "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
          "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", "PySide6/Qt/lib/libQt6VirtualKeyboardQml.so.6",
          "PySide6/Qt/plugins/egldeviceintegrations", "PySide6/Qt/plugins/generic",
          "PySide6/Qt/plugins/networkinformation", "PySide6/Qt/plugins/tls",
          "PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
          "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/platforms/libqminimalegl.so",
          "PySide6/Qt/plugins/platforms/libqvkkhrdisplay.so", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
          # OpenGL integrations: the window is drawn by the raster engine (shared memory on Wayland and X11);
          # with them goes libQt6OpenGL
          "PySide6/Qt/plugins/xcbglintegrations", "PySide6/Qt/plugins/wayland-graphics-integration-client",
          "libssl.so.3", "libcrypto.so.3",  # OpenSSL: only Qt's optional TLS loads it, at run time
          *(f"PySide6/Qt/plugins/imageformats/libq{f}.so" for f in ("icns", "tga", "wbmp", "gif", "tiff", "webp")))
# Test code and data no run of the app loads (numpy's test extensions, scipy's UNU.RAN, Pillow's
# AVIF module whose library is dropped above, scikit-learn's bundled datasets).
UNUSED = ("numpy/_core/_simd.*.so", "numpy/_core/_multiarray_tests.*.so", "numpy/_core/_umath_tests.*.so",
          "numpy/_core/_rational_tests.*.so", "numpy/_core/_struct_ufunc_tests.*.so",
          "numpy/_core/_operand_flag_tests.*.so", "scipy/stats/_unuran", "PIL/_avif.*.so",
          "sklearn/datasets/data", "sklearn/datasets/descr", "sklearn/datasets/images", "sklearn/datasets/tests")
# Libraries every Linux desktop the bundle targets has, taken from the system and never bundled: the
# manylinux policy's list (libstdc++, libgcc_s, glibc's own libmvec, libX11, GLib, zlib, expat) and
# the X11/D-Bus/fontconfig stack a desktop session runs on. Copies from the build host only raised
# the glibc floor (libstdc++, libexpat and libmvec asked for 2.36 here). Each with the Debian/Ubuntu
# package that provides it: the .deb's dependencies (`a | b`: Ubuntu 24.04's t64 renames).
SYSTEM_LIBRARIES = {
    "libstdc++.so.6": "libstdc++6", "libgcc_s.so.1": "libgcc-s1", "libmvec.so.1": "libc6",
    "libexpat.so.1": "libexpat1", "libz.so.1": "zlib1g", "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1",
    "libglib-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3", "libsystemd.so.0": "libsystemd0", "libgcrypt.so.20": "libgcrypt20",
    "libgpg-error.so.0": "libgpg-error0", "liblz4.so.1": "liblz4-1", "libcap.so.2": "libcap2",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16t64 | libpng16-16", "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1", "libbz2.so.1.0": "libbz2-1.0", "liblzma.so.5": "liblzma5",
    "libzstd.so.1": "libzstd1", "libpcre2-8.so.0": "libpcre2-8-0", "libuuid.so.1": "libuuid1",
    "libxkbcommon.so.0": "libxkbcommon0",
}
# What the bundle's libraries link that PyInstaller leaves to the system by its own rules (glibc,
# OpenGL/EGL, Wayland, xcb): also the .deb's dependencies.
SYSTEM_LINKED = {"libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6", "libpthread.so.0": "libc6",
                 "librt.so.1": "libc6", "ld-linux-x86-64.so.2": "libc6", "libGL.so.1": "libgl1",
                 "libEGL.so.1": "libegl1", "libxcb.so.1": "libxcb1", "libxcb-icccm.so.4": "libxcb-icccm4",
                 "libxcb-keysyms.so.1": "libxcb-keysyms1", "libwayland-client.so.0": "libwayland-client0",
                 "libwayland-cursor.so.0": "libwayland-cursor0", "libwayland-egl.so.1": "libwayland-egl1",
                 "libavif.so.16": "libavif16"}
# The oldest systems the Linux bundle is for: glibc 2.35 (Ubuntu 22.04; this build host's Python
# itself asks for it) and GCC 11's libstdc++ (GLIBCXX_3.4.29: RHEL 9, Ubuntu 22.04). The build
# fails above either (installer/elf.py computes them from the bundle's files).
GLIBC_FLOOR: tuple[int, ...] = (2, 35)
GLIBCXX_FLOOR: tuple[int, ...] = (3, 4, 29)


def step(text: str) -> None:
    print(f"==> {text}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        step(f"installing {PYINSTALLER} (build tool only; not bundled)")
        run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", PYINSTALLER])


def stage_models(target: Path) -> None:
    """The default models' files, verified against the catalog, into target, and the word answers
    of concept arithmetic made for the default text model (int8, 21 MB): without them the first
    arithmetic in the bundle spent 50–200 s embedding 55,000 words."""
    from nearby.models.catalog import MODELS
    from nearby.models.install import default_models, install_model, is_installed
    from nearby.models.locate import model_dir, models_root

    source = models_root()
    shutil.rmtree(target, ignore_errors=True)
    for name in default_models():
        spec = MODELS[name]
        install_model(spec, source)  # a no-op when already there and intact
        folder = model_dir(spec, source)
        for file in spec.files:
            if file.keep and not is_installed(file, folder):
                raise SystemExit(f"{spec.name}: {file.name} in {folder} does not match its checksum")
        model_dir(spec, target).mkdir(parents=True)
        for installed in spec.installed_names:
            shutil.copy2(folder / installed, model_dir(spec, target) / installed)
    stage_words(source, target)


def stage_words(source: Path, target: Path) -> None:
    """The default text model's vectors of the vocabulary into target (from the models folder where
    `nearby vocabulary` made them, converted to the current format; else made now, about a minute)."""
    from nearby.core.inference.text_embedder import TextEmbedder
    from nearby.core.search.words import WordSpace, save_text_vectors

    made = WordSpace(TextEmbedder(models_root=source), models_root=source)
    staged = WordSpace(TextEmbedder(models_root=target), models_root=target)
    if made.prepared():
        save_text_vectors(staged.text_file, made.text_vectors())
    else:
        step("embedding the vocabulary for concept arithmetic (once, about a minute)")
        for _ in staged.prepare():
            pass


def stage_sources(target: Path) -> None:
    """core/, desktop/, models/ as nearby/core … (what pyproject's package-dir does for pip)."""
    package = target / "nearby"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "dev")
    for folder, name in (("core", "core"), ("desktop", "desktop"), ("models", "models")):
        shutil.copytree(ROOT / folder, package / name, ignore=ignore)


def pyinstaller(staged: Path, models: Path) -> Path:
    sep = os.pathsep
    icon = ROOT / "installer" / "icon.png"
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--onedir", "--windowed",
           "--name", NAME, "--icon", str(icon), "--distpath", str(DIST), "--workpath", str(BUILD / "work"),
           "--specpath", str(BUILD), "--paths", str(staged),
           "--add-data", f"{models}{sep}models", "--add-data", f"{ROOT / 'desktop' / 'sample'}{sep}sample",
           "--add-data", f"{icon}{sep}.", "--add-data", f"{ROOT / 'desktop' / 'icon.svg'}{sep}nearby/desktop",
           "--add-data", f"{ROOT / 'models' / 'picture_words.json'}{sep}nearby/models",
           "--hidden-import", "apsw",
           "--log-level", "WARN"]
    for module in (*EXCLUDED_MODULES, *EXCLUDED_QT):
        cmd += ["--exclude-module", module]
    for dist in COLLECT_ALL:
        cmd += ["--collect-all", dist]
    for package in COLLECT_SUBMODULES:
        cmd += ["--collect-submodules", package]
    for dist in COLLECT_BINARIES:
        cmd += ["--collect-binaries", dist, "--hidden-import", dist]
    if platform.system() == "Darwin":
        cmd += ["--osx-bundle-identifier", "org.nearby.Nearby"]
    run([*cmd, str(ROOT / "installer" / "entry.py")])
    bundle = DIST / NAME
    internal = bundle / "_internal"
    for path in PRUNED:
        target = internal / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    for avif in (internal / "pillow.libs").glob("libavif*"):
        avif.unlink()
    for pattern in UNUSED:
        for path in internal.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    if platform.system() == "Linux":
        for name in SYSTEM_LIBRARIES:
            (internal / name).unlink(missing_ok=True)
        link_copies(internal)
        share_openblas(internal)
        drop_orphans(internal)
        strip_symbols(internal)
        check_floors(bundle)
    return bundle


# The same library vendored by two wheels in two builds: the second is served by the first where the
# first defines every symbol version the second does (libgfortran.so.5: GFORTRAN_8 and its kin).
SAME_LIBRARY = (("scipy.libs/libgfortran-*.so.5*", "numpy.libs/libgfortran-*.so.5*"),)


def link_copies(folder: Path) -> None:
    """Identical native libraries vendored by two wheels (numpy's libgfortran and libquadmath, again
    in scipy.libs) kept once: the second becomes a relative link to the first; and the same library
    in two builds (SAME_LIBRARY) once where the first provides all the second's symbol versions."""
    import hashlib

    for second_pattern, first_pattern in SAME_LIBRARY:
        firsts = [p for p in folder.glob(first_pattern) if p.is_file() and not p.is_symlink()]
        for second in folder.glob(second_pattern):
            if second.is_symlink() or not firsts or second.resolve() == firsts[0].resolve():
                continue
            if needs(second).defines <= needs(firsts[0]).defines:
                second.unlink()
                second.symlink_to(os.path.relpath(firsts[0], second.parent))

    seen: dict[tuple[int, str], Path] = {}
    for path in sorted(folder.rglob("*.so*")):
        if not path.is_file() or path.is_symlink():
            continue
        key = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        if key in seen:
            path.unlink()
            path.symlink_to(os.path.relpath(seen[key], path.parent))
        else:
            seen[key] = path


def share_openblas(folder: Path) -> None:
    """faiss's own OpenBLAS (37 MB) replaced by a shim of the same name whose functions jump to
    scipy's OpenBLAS (the same LP64 interface, its symbols prefixed `scipy_`): faiss asks for 14
    BLAS/LAPACK functions, and the bundle already carries scipy's build of them. Kept as it is when
    the build machine cannot make the shim (no C compiler) or a function has no twin."""
    import tempfile

    ours = sorted(p for p in folder.glob("faiss_cpu.libs/libopenblas*.so*") if p.is_file() and not p.is_symlink())
    theirs = sorted(p for p in folder.glob("scipy.libs/libscipy_openblas*.so*") if p.is_file() and not p.is_symlink())
    users = [p for p in (folder / "faiss").glob("*.so") if p.is_file()]
    compiler, nm = shutil.which("cc") or shutil.which("gcc"), shutil.which("nm")
    if len(ours) != 1 or len(theirs) != 1 or not users or compiler is None or nm is None:
        return
    wanted = set().union(*(dynamic_symbols(nm, p, undefined=True) for p in users)) & dynamic_symbols(nm, ours[0])
    if not wanted or not {f"scipy_{name}" for name in wanted} <= dynamic_symbols(nm, theirs[0]):
        print(f"  kept faiss's OpenBLAS: scipy's lacks some of {sorted(wanted)}")
        return
    trampolines = "".join(f".globl {n}\n.type {n}, @function\n{n}:\n    jmp scipy_{n}@PLT\n" for n in sorted(wanted))
    with tempfile.TemporaryDirectory() as tmp:
        source, shim = Path(tmp) / "shim.S", Path(tmp) / ours[0].name
        source.write_text(f".text\n{trampolines}.section .note.GNU-stack,\"\",@progbits\n")
        made = subprocess.run([compiler, "-shared", "-nostdlib", "-o", str(shim), str(source),
                               f"-Wl,-soname,{ours[0].name}", f"-L{theirs[0].parent}", f"-l:{theirs[0].name}",
                               f"-Wl,-rpath,$ORIGIN/../{theirs[0].parent.name}"], capture_output=True, text=True)
        if made.returncode:
            print(f"  kept faiss's OpenBLAS: the shim did not build ({made.stderr.strip()[:200]})")
            return
        shutil.copy2(shim, ours[0])
    step(f"faiss's OpenBLAS served by scipy's ({len(wanted)} functions)")


def dynamic_symbols(nm: str, library: Path, undefined: bool = False) -> set[str]:
    """The names a shared library defines for others (or, ``undefined``, asks of others)."""
    listed = subprocess.run([nm, "-D", "--undefined-only" if undefined else "--defined-only", str(library)],
                            capture_output=True, text=True, check=False).stdout
    return {fields[-1].split("@")[0] for fields in map(str.split, listed.splitlines()) if fields}


def check_floors(bundle: Path) -> None:
    """Fail the build when a file asks for a newer glibc or libstdc++ than the stated floors."""
    for family, limit in (("GLIBC", GLIBC_FLOOR), ("GLIBCXX", GLIBCXX_FLOOR)):
        version, culprits = floor(bundle, family)
        if version > limit:
            names = ", ".join(str(p.relative_to(bundle)) for p in culprits[:5])
            raise SystemExit(f"the bundle needs {family} {'.'.join(map(str, version))}, above the floor "
                             f"{'.'.join(map(str, limit))}: {names} (add it to SYSTEM_LIBRARIES or build on an "
                             "older system)")


def drop_orphans(folder: Path) -> None:
    """Delete the shared libraries nothing in the folder links any more (the GTK theme's and Qt
    Quick's, once what used them is gone), until none is left. Only linked libraries are looked at
    (the folder's top, Qt's lib/ and the wheels' *.libs): plugins and Python extensions are loaded at
    run time, and the interpreter's library is loaded by the bootloader."""
    linked = [folder, folder / "PySide6" / "Qt" / "lib", *folder.glob("*.libs")]
    while True:
        needed: set[str] = set()
        for path in elf_files(folder):
            needed.update(n for n in needs(path).libraries if n != path.name)
        orphans = [p for d in linked for p in d.glob("lib*.so*") if p.is_file() and not p.is_symlink()
                   and p.name not in needed and not p.name.startswith("libpython")]
        if not orphans:
            break
        for path in orphans:
            path.unlink()
    for d in linked:  # links left pointing at nothing
        for path in d.glob("lib*.so*"):
            if path.is_symlink() and not path.exists():
                path.unlink()


def strip_symbols(folder: Path) -> None:
    """Drop symbol tables from the native libraries (the interpreter's own library alone carries
    17 MB of them). Not those that auditwheel vendored into `*.libs` folders (OpenBLAS and co.):
    stripping breaks their page alignment, which is why PyInstaller's --strip is not used."""
    strip = shutil.which("strip")
    if strip is None:
        return
    for path in elf_files(folder):
        if any(p.name.endswith(".libs") for p in path.parents):
            continue
        subprocess.run([strip, "--strip-unneeded", str(path)], check=False, capture_output=True)


def notices(bundle: Path, staged: Path, models: Path) -> Path:
    """THIRD-PARTY-NOTICES.txt (every distribution, library, model and the interpreter inside, with
    its licence), licenses/ (their licence texts) and licenses/FILES.txt (each bundled file and frozen
    module with what shipped it). Fails the build on a file of unknown origin, and on GPL/AGPL code
    without a linking exception or of unknown licence."""
    from installer.licences import BOOTLOADER_LICENCE, Origin, Tracer, audit, listing, write_texts
    from nearby.models.catalog import MODELS

    version = md.version("nearby")
    nearby = Origin("nearby", NAME, version, "Apache-2.0", (ROOT / "installer" / "licenses" / "Apache-2.0.txt",))
    work = BUILD / "work" / NAME
    pyinstaller_dist = md.distribution("pyinstaller")
    own: dict[Path, Origin] = {
        ROOT / "desktop" / "sample": Origin("sample", "the sample collection", "", "CC0-1.0 / public domain (per file)",
                                            (ROOT / "desktop" / "sample" / "LICENSES.md",)),
        work / NAME: Origin("bootloader", "PyInstaller bootloader", pyinstaller_dist.version, BOOTLOADER_LICENCE,
                            tuple(Path(pyinstaller_dist.locate_file(f)) for f in pyinstaller_dist.files or []
                                  if str(f).endswith("COPYING.txt"))),
        work / "base_library.zip": Origin("python", "Python", sys.version.split()[0], "PSF-2.0"),
        work / "localpycs": Origin("bootloader", "PyInstaller bootloader", pyinstaller_dist.version,
                                   BOOTLOADER_LICENCE),
    }
    for folder in sorted(models.iterdir()):
        spec = MODELS.get(folder.name)
        if spec is not None:
            own[folder] = Origin("model", spec.name, spec.version, spec.licence)
    own.update({staged: nearby, ROOT: nearby})
    found = audit(work, bundle, Tracer(own, nearby))
    for icon in sorted((bundle / "icons").rglob("*")) if (bundle / "icons").is_dir() else []:
        if icon.is_file():  # drawn from desktop/icon.svg after PyInstaller ran (installer/icons.py)
            found.files[icon.relative_to(bundle).as_posix()] = nearby
    if found.unknown and platform.system() == "Linux":
        raise SystemExit("bundled files of unknown origin: " + "; ".join(found.unknown[:10]))
    for unknown in found.unknown:  # elsewhere the system's own runtime files may not be traceable here
        step(f"origin unknown (listed as such): {unknown}")
    texts = bundle / "licenses"
    write_texts(found, texts, {"Qt-LGPL-3.0.txt": ROOT / "installer" / "licenses" / "LGPL-3.0.txt",
                               "GPL-3.0.txt": ROOT / "installer" / "licenses" / "GPL-3.0.txt"})
    (texts / "FILES.txt").write_text(listing(found), encoding="utf-8")
    lines = [f"{NAME} {version}: Apache-2.0", "",
             "Everything inside this bundle that Nearby did not write, with its licence. The licence texts are",
             "in licenses/ (by kind and name); licenses/FILES.txt names what shipped each file.", ""]
    titles = {"distribution": "Python libraries", "system": "System libraries (from the build system's packages)",
              "python": "The Python interpreter", "bootloader": "The executable's start-up code",
              "model": "Models", "sample": "The sample collection"}
    origins = found.origins()
    for kind, title in titles.items():
        chosen = [o for o in origins if o.kind == kind]
        if chosen:
            lines += [f"{title}:", *(f"  {o.label}: {o.licence}" for o in chosen), ""]
    lines += ["Qt 6 (inside PySide6) is used under the LGPL-3.0 (licenses/Qt-LGPL-3.0.txt, which builds on",
              "licenses/GPL-3.0.txt); its libraries are separate files in PySide6/Qt/lib that can be replaced.",
              "onnxruntime's own notices: licenses/distribution/onnxruntime/ThirdPartyNotices.txt.",
              "WordNet 3.0 (phrases for concept arithmetic, the nouns of models/picture_words.json): Copyright",
              "2006 by Princeton University;",
              "WordNet licence.", ""]
    out = bundle / "THIRD-PARTY-NOTICES.txt"
    out.write_text("\n".join(lines), encoding="utf-8")
    if found.refused:
        raise SystemExit("GPL/AGPL code (or code of unknown licence) would ship in the bundle: "
                         + "; ".join(found.refused[:10]) + ". Leave GPL code out (EXCLUDED_MODULES, PRUNED, "
                         "SYSTEM_LIBRARIES); for a system package whose copyright file this build cannot read, "
                         "add its licence to NOT_MACHINE_READABLE in installer/licences.py after reading it.")
    return out


def package_linux(bundle: Path, fast: bool = False) -> list[Path]:
    """A tarball with the folder, the icons and the install/uninstall scripts for the user's menus;
    a .deb where dpkg-deb is present; SHA256SUMS beside them. fast: light compression (the tests)."""
    from installer import deb

    version = md.version("nearby")
    archive = DIST / f"{NAME}-{version}-linux-{platform.machine()}.tar.gz"
    for script in ("install.sh", "uninstall.sh", "nearby.desktop"):
        shutil.copy(ROOT / "installer" / "linux" / script, bundle / script)
    for script in ("install.sh", "uninstall.sh"):
        (bundle / script).chmod(0o755)
    with tarfile.open(archive, "w:gz", compresslevel=1 if fast else 6) as tar:
        tar.add(bundle, arcname=NAME)
    made = [archive]
    if shutil.which("dpkg-deb"):
        glibc, _ = floor(bundle, "GLIBC")
        made.append(deb.build(bundle, DIST, version, system_needs(bundle), glibc, "gzip" if fast else "xz"))
    else:
        step("no .deb: dpkg-deb is not installed here")
    checksums(made)
    return made


def system_needs(bundle: Path) -> dict[str, str]:
    """The libraries the bundle's files link that are not inside it, each with the package that
    provides it (the .deb's dependencies). Fails on one that no known package provides."""
    inside = {p.name for p in bundle.rglob("*")}
    known = {**SYSTEM_LIBRARIES, **SYSTEM_LINKED}
    linked = sorted({name for path in elf_files(bundle) for name in needs(path).libraries if name not in inside})
    unknown = [name for name in linked if name not in known]
    if unknown:
        raise SystemExit(f"the bundle links {', '.join(unknown)}, neither inside it nor known to SYSTEM_LIBRARIES or "
                         "SYSTEM_LINKED (with the package that provides it)")
    return {name: known[name] for name in linked}


def checksums(files: list[Path]) -> Path:
    """SHA256SUMS beside the packages (`sha256sum -c SHA256SUMS` checks a download)."""
    import hashlib

    lines = []
    for path in files:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {path.name}")
    out = files[0].parent / "SHA256SUMS"
    out.write_text("\n".join(lines) + "\n")
    return out


def package(bundle: Path, fast: bool = False) -> list[Path]:
    system = platform.system()
    if system == "Linux":
        return package_linux(bundle, fast)
    if system == "Windows" and shutil.which("iscc"):
        script = ROOT / "installer" / "windows" / "nearby.iss"
        run(["iscc", f"/DSourceDir={bundle}", f"/DOutputDir={DIST}", str(script)])
        setup = DIST / "Nearby-setup.exe"
        checksums([setup])
        return [setup]
    if system == "Darwin":
        app = DIST / f"{NAME}.app"
        dmg = DIST / f"{NAME}.dmg"
        if app.is_dir() and shutil.which("hdiutil"):
            run(["hdiutil", "create", "-volname", NAME, "-srcfolder", str(app), "-ov", "-format", "UDZO", str(dmg)])
            checksums([dmg])
            return [dmg]
    step(f"no OS package made on {system} (see installer/README.md); the folder is ready")
    return []


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / (1 << 20)


def main(argv: list[str] | None = None) -> int:
    global BUILD, DIST, GLIBC_FLOOR
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-package", action="store_true", help="stop after the folder (no tarball/installer)")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's self-test at the end")
    parser.add_argument("--out", type=Path, help="put the bundle in OUT/dist and the build files in OUT/build")
    parser.add_argument("--fast", action="store_true", help="compress the packages lightly (quicker; for tests)")
    parser.add_argument("--glibc-floor", metavar="X.Y", help=f"fail above this glibc (default "
                        f"{'.'.join(map(str, GLIBC_FLOOR))}; the CI recipe's manylinux_2_28 build: 2.28)")
    args = parser.parse_args(argv)
    if args.glibc_floor:
        GLIBC_FLOOR = tuple(int(n) for n in args.glibc_floor.split("."))
    if args.out:
        BUILD, DIST = args.out / "build", args.out / "dist"
    started = time.monotonic()
    ensure_pyinstaller()
    step("staging the default models")
    models = BUILD / "models"
    stage_models(models)
    step("staging the sources")
    stage_sources(BUILD / "src")
    step("freezing with PyInstaller (a few minutes)")
    bundle = pyinstaller(BUILD / "src", models)
    step("drawing the icons")
    run([sys.executable, str(ROOT / "installer" / "icons.py"), str(bundle / "icons")])
    step("writing the third-party notices")
    notices(bundle, BUILD / "src", models)
    made = [] if args.skip_package else package(bundle, args.fast)
    took = time.monotonic() - started
    packed = "".join(f"; {p.name} ({p.stat().st_size / (1 << 20):.0f} MB)" for p in made)
    print(f"bundle: {bundle} ({size_mb(bundle):.0f} MB){packed}; built in {took / 60:.1f} min")
    if args.self_test:
        executable = bundle / (f"{NAME}.exe" if platform.system() == "Windows" else NAME)
        return subprocess.run([str(executable), "--self-test"], check=False).returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
