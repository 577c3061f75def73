"""Build the double-click bundle for the OS this runs on: `python installer/build.py`.

    python installer/build.py                  # → dist/Nearby/ (PyInstaller one-folder) + the OS package
    python installer/build.py --skip-package   # the folder only
    python installer/build.py --self-test      # … then run the bundle's self-test

Steps (each says what it does on stderr):
1. the build tools: PyInstaller, pinned, into the running environment (a developer's `.venv`);
2. the default models, checked against the catalog's sha256s, copied from the models folder (or
   installed there first), plus the word answers prepared for the default text model, into
   build/bundle/models;
3. a staging copy of the sources as the `nearby` package (the repo maps core/, desktop/, models/ onto
   `nearby.*`, which PyInstaller cannot follow through an editable install);
4. PyInstaller: one folder, the executable `Nearby` (installer/entry.py), the icon, the models and the
   sample collection inside; the install-time converters' heavy dependencies left out;
5. THIRD-PARTY-NOTICES.txt: every bundled distribution and model with its licence; the build fails if
   anything under GPL or AGPL (LGPL is fine) is inside;
6. the OS package: Linux — `Nearby-<version>-linux-x86_64.tar.gz` with install.sh / uninstall.sh
   (a freedesktop menu entry and icon in the user's folders; no AppImage: appimagetool is not on
   the package registries); Windows — an Inno Setup script (installer/windows/nearby.iss) run by
   `iscc` when present; macOS — `Nearby.app` (PyInstaller's BUNDLE) and a .dmg by `hdiutil`.
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
BUILD = ROOT / "build" / "bundle"  # (re)set by --out: <out>/build
DIST = ROOT / "dist"
PYINSTALLER = "pyinstaller==6.22.3"
NAME = "Nearby"
# Needed only by the install step's converters (checkpoints → ONNX) or by tools, never at run time;
# ssl and _hashlib: nothing goes to the network, and hashlib has its own sha256 (drops OpenSSL);
# the parts of scipy and scikit-learn that openTSNE never loads (the self-test draws a map).
EXCLUDED_MODULES = ("onnx", "onnxruntime.quantization", "onnxruntime.tools", "onnxruntime.transformers",
                    "onnxruntime_extensions.pnp", "torch", "tensorflow", "matplotlib", "IPython", "pytest",
                    "mypy", "ruff", "tkinter", "PyInstaller", "setuptools", "pip", "ssl", "_ssl", "_hashlib",
                    "scipy.io", "scipy.signal", "scipy.odr", "scipy.datasets", "scipy.misc", "scipy.cluster",
                    "sklearn.tree", "sklearn.datasets", "sklearn.cluster", "sklearn.ensemble",
                    "sklearn.feature_extraction", "sklearn.manifold", "sklearn.mixture", "sklearn.neural_network",
                    "sklearn.semi_supervised", "sklearn.impute", "sklearn.inspection", "lxml.objectify", "lxml.html",
                    "lxml.isoschematron", "lxml.sax", "pygments", "rich", "pydoc_data", "distutils", "yaml")
# Qt modules the app never imports but PySide6's hooks could drag in; and QtMultimedia: its FFmpeg
# and the Qt Quick/QML it links weigh ~50 MB, which the 450 MB budget cannot carry beside the models,
# so in the bundle a song plays in the system's player (desktop/player.py falls back by itself).
EXCLUDED_QT = ("PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtNetwork",
               "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtQuick", "PySide6.QtQml",
               "PySide6.Qt3DCore", "PySide6.QtPdf", "PySide6.QtCharts", "PySide6.QtDataVisualization",
               "PySide6.QtGraphs", "PySide6.QtLocation", "PySide6.QtBluetooth", "PySide6.QtDesigner")
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
          "libssl.so.3", "libcrypto.so.3",  # OpenSSL: only Qt's optional TLS loads it, at run time
          *(f"PySide6/Qt/plugins/imageformats/libq{f}.so" for f in ("icns", "tga", "wbmp", "gif", "tiff", "webp")))
FORBIDDEN = ("GPL", "General Public License")  # … unless Lesser/Library (checked in licence_ok)


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
    """The default models' files, verified against the catalog, into target. The words' text-model
    vectors (40 MB) stay out: they are made once, on first use, in the user's cache folder."""
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
           "--add-data", f"{icon}{sep}.",
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
    if platform.system() == "Linux":
        drop_orphans(internal)
        strip_symbols(internal)
    return bundle


def _elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def drop_orphans(folder: Path) -> None:
    """Delete the shared libraries nothing in the folder links any more (the GTK theme's and Qt
    Quick's, once what used them is gone), until none is left. Only linked libraries are looked at
    (the folder's top and Qt's lib/): plugins and Python extensions are loaded at run time, and the
    interpreter's library is loaded by the bootloader."""
    readelf = shutil.which("readelf")
    if readelf is None:
        return
    linked = [folder, folder / "PySide6" / "Qt" / "lib"]
    while True:
        needed: set[str] = set()
        for path in _elf_files(folder):
            dynamic = subprocess.run([readelf, "-d", str(path)], capture_output=True, text=True, check=False).stdout
            own = path.name
            needed.update(n for n in (line.split("[", 1)[1].rstrip("]") for line in dynamic.splitlines()
                                      if "(NEEDED)" in line) if n != own)
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
    for path in _elf_files(folder):
        if any(p.name.endswith(".libs") for p in path.parents):
            continue
        subprocess.run([strip, "--strip-unneeded", str(path)], check=False, capture_output=True)


def licence_ok(text: str) -> bool:
    upper = text.upper()
    if "LGPL" in upper or "LESSER GENERAL" in upper or "LIBRARY GENERAL" in upper:
        return True
    return not any(word.upper() in upper for word in FORBIDDEN)


def _licence_of(dist: md.Distribution) -> str:
    """A distribution's licence as its metadata states it: the SPDX expression, else the
    classifiers, else the first line of its License field."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return str(meta["License-Expression"])
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    if classifiers:
        return "; ".join(classifiers)
    first = (meta.get("License") or "").strip().splitlines()
    return first[0][:120] if first else "see the distribution's own licence file"


def notices(bundle: Path) -> Path:
    """THIRD-PARTY-NOTICES.txt: each bundled distribution and each model, with its licence."""
    from nearby.models.catalog import MODELS
    from nearby.models.install import default_models

    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    present = {p.name.split(".")[0].lower() for p in internal.iterdir()}
    lines = [f"{NAME} {md.version('nearby')} — Apache-2.0", "", "Libraries inside this bundle:", ""]
    refused = []
    for dist in sorted(md.distributions(), key=lambda d: d.metadata["Name"].lower()):
        name = dist.metadata["Name"]
        tops = (dist.read_text("top_level.txt") or "").split() or [name.replace("-", "_")]
        if name.lower() == "nearby" or not any(t.lower() in present for t in tops):
            continue
        licence = _licence_of(dist)
        lines.append(f"  {name} {dist.version}: {licence}")
        if not licence_ok(licence) and name not in ("PySide6-Essentials", "PySide6-Addons", "shiboken6"):
            refused.append(f"{name} ({licence})")
    lines += ["", "  Qt 6 (inside PySide6): LGPL-3.0; its FFmpeg libraries: LGPL-2.1+.",
              "  The Python interpreter: PSF-2.0.", "", "Models inside this bundle:", ""]
    for name in default_models():
        spec = MODELS[name]
        lines.append(f"  {spec.name} ({spec.version}): {spec.licence} — {spec.homepage}")
    lines += ["", "WordNet 3.0 (phrases for concept arithmetic): Copyright 2006 by Princeton University; "
              "WordNet licence (permissive).", "The sample collection: see sample/LICENSES.md.", ""]
    out = bundle / "THIRD-PARTY-NOTICES.txt"
    out.write_text("\n".join(lines), encoding="utf-8")
    if refused:
        raise SystemExit(f"GPL/AGPL-licensed libraries would ship in the bundle: {', '.join(refused)}")
    return out


def package_linux(bundle: Path) -> Path:
    """A tarball with the folder, the icon and the install/uninstall scripts for the user's menus."""
    version = md.version("nearby")
    archive = DIST / f"{NAME}-{version}-linux-{platform.machine()}.tar.gz"
    for script in ("install.sh", "uninstall.sh", "nearby.desktop"):
        shutil.copy(ROOT / "installer" / "linux" / script, bundle / script)
    for script in ("install.sh", "uninstall.sh"):
        (bundle / script).chmod(0o755)
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=NAME)
    return archive


def package(bundle: Path) -> Path | None:
    system = platform.system()
    if system == "Linux":
        return package_linux(bundle)
    if system == "Windows" and shutil.which("iscc"):
        script = ROOT / "installer" / "windows" / "nearby.iss"
        run(["iscc", f"/DSourceDir={bundle}", f"/DOutputDir={DIST}", str(script)])
        return DIST / "Nearby-setup.exe"
    if system == "Darwin":
        app = DIST / f"{NAME}.app"
        dmg = DIST / f"{NAME}.dmg"
        if app.is_dir() and shutil.which("hdiutil"):
            run(["hdiutil", "create", "-volname", NAME, "-srcfolder", str(app), "-ov", "-format", "UDZO", str(dmg)])
            return dmg
    step(f"no OS package made on {system} (see installer/README.md); the folder is ready")
    return None


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / (1 << 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-package", action="store_true", help="stop after the folder (no tarball/installer)")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's self-test at the end")
    parser.add_argument("--out", type=Path, help="put the bundle in OUT/dist and the build files in OUT/build")
    args = parser.parse_args(argv)
    global BUILD, DIST
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
    step("writing the third-party notices")
    notices(bundle)
    archive = None if args.skip_package else package(bundle)
    took = time.monotonic() - started
    packed = f"; package: {archive} ({archive.stat().st_size / (1 << 20):.0f} MB)" if archive else ""
    print(f"bundle: {bundle} ({size_mb(bundle):.0f} MB){packed}; built in {took / 60:.1f} min")
    if args.self_test:
        executable = bundle / (f"{NAME}.exe" if platform.system() == "Windows" else NAME)
        return subprocess.run([str(executable), "--self-test"], check=False).returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
