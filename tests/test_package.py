"""The distributions a release would upload: built as a release builds them, then read back.

`python -m build` makes the sdist and then the wheel from that sdist in an isolated
environment, as a release does, so a file the sdist leaves out that the wheel needs, or a
version setuptools cannot read without importing the package, fails here and not on PyPI.
The isolated environment installs `build-system.requires` from the package index (pip's cache
makes it a few seconds after the first run).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path
from typing import NamedTuple

import pytest

import modelwire

ROOT = Path(__file__).resolve().parent.parent


class Dists(NamedTuple):
    sdist: Path
    wheel: Path


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A packaging tool as a subprocess; its output is shown only when it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dist")
    _run("build", "--sdist", "--wheel", "--outdir", out, ROOT)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dists(sdist, wheel)


def _sdist_files(sdist: Path) -> set[str]:
    """Paths inside the sdist, without its `modelwire-X.Y.Z/` top folder."""
    with tarfile.open(sdist) as tar:
        return {name.partition("/")[2] for name in tar.getnames() if "/" in name}


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = (n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode())


def test_twine_check_strict_passes_both(dists: Dists) -> None:
    _run("twine", "check", "--strict", dists.sdist, dists.wheel)


def test_the_wheel_holds_the_license_the_typing_marker_and_the_generated_code(
    dists: Dists,
) -> None:
    with zipfile.ZipFile(dists.wheel) as zf:
        names = set(zf.namelist())
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "modelwire/py.typed" in names
    assert {"modelwire/generated/providers.py", "modelwire/generated/models.py"} <= names
    assert any(n.startswith("modelwire/generated/adapters/") for n in names)
    assert any(n.startswith("modelwire/generated/wire/") for n in names)
    assert {"modelwire/cli/__init__.py", "modelwire/cli/examples.txt"} <= names
    assert not any(n.startswith(("tests/", "generator/", "devtools/", "specs/")) for n in names)


def test_the_sdist_holds_the_package_and_its_specs_not_the_dev_tree(dists: Dists) -> None:
    files = _sdist_files(dists.sdist)
    assert {"LICENSE", "README.pypi.md", "CHANGELOG.md", "pyproject.toml"} <= files
    assert "runtime/__init__.py" in files and "generated/providers.py" in files
    assert any(f.startswith("specs/protocols/") and f.endswith(".yaml") for f in files)
    left_out = ("tests/", "devtools/", "cassettes/", "bench/", "build/", "generator/", ".venv")
    assert not [f for f in files if f.startswith(left_out)]
    assert not [f for f in files if "__pycache__" in f]


def test_the_metadata_has_the_one_version_and_the_pypi_page(dists: Dists) -> None:
    meta = _wheel_metadata(dists.wheel)
    assert meta["Version"] == modelwire.__version__
    assert dists.wheel.name.startswith(f"modelwire-{modelwire.__version__}-")
    assert meta["License-Expression"] == "MIT"
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
    assert {u.split(",")[0] for u in meta.get_all("Project-URL", [])} >= {"Changelog", "Issues"}
    assert meta.get_payload() == (ROOT / "README.pypi.md").read_text(encoding="utf-8")


def test_the_pypi_page_links_only_to_absolute_urls() -> None:
    """PyPI shows README.pypi.md outside the repository: a relative link would lead nowhere."""
    text = (ROOT / "README.pypi.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert targets
    assert [t for t in targets if not t.startswith("https://")] == []
