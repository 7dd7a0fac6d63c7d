"""Where the project's bundled data lives (rules, replica site); FANWEN_DATA_DIR overrides it.

Run from a zipped egg (scrapyd), the package has no directory on disk: ``package_path``
extracts a package-data folder (the cleaning rules, the migrations Alembic reads) once into a
cache folder under the temporary directory, named by a hash of its contents.
"""

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _files(node: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                found.extend(_files(child, name + "/"))
        else:
            found.append((name, child.read_bytes()))
    return found


def package_path(folder: str) -> Path:
    """A real directory holding the package's ``folder`` (extracted when zipped)."""
    direct = PACKAGE_DIR / folder
    if direct.is_dir():
        return direct
    files = _files(resources.files("fanwen_crawler").joinpath(folder))
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    root = Path(tempfile.gettempdir()) / f"fanwen-crawler-{digest.hexdigest()[:16]}"
    target = root / folder
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="fanwen-crawler-"))
        for name, data in files:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        root.mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(target)
        except OSError:  # another process extracted it first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _data_dir() -> Path:
    if os.environ.get("FANWEN_DATA_DIR"):
        return Path(os.environ["FANWEN_DATA_DIR"])
    if (PROJECT_DIR / "data").is_dir():
        return PROJECT_DIR / "data"
    return package_path("rules").parent  # installed or zipped: only the rules travel along


DATA_DIR = _data_dir()
