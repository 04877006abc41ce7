"""The layers `make lint` holds: an import that reaches up fails the lint, with its path."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "core",
    "network",
    "forums",
    "readiness",
    "mentoring",
    "guides",
    "incentives",
    "evidence",
]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the project's Python packages and its lint configuration."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "*.po*")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_its_layers(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "reaching_for"),
    [
        ("core/realtime.py", "network.models"),
        ("network/selectors.py", "forums.models"),
        ("forums/services/__init__.py", "mentoring.models"),
        ("incentives/models.py", "mentoring.models"),
        ("evidence/views.py", "incentives.models"),
        ("readiness/selectors.py", "mentoring.models"),
    ],
)
def test_an_import_that_reaches_up_or_around_fails_the_lint(tree, module, reaching_for):
    path = tree / module
    path.write_text(path.read_text() + f"\nimport {reaching_for}  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert reaching_for in result.stdout
