"""The shipped type stubs of the compiled module are complete and current."""

import ast
import importlib.resources
import shutil
import subprocess
import sys

import pytest

from salesfunnel import _core


def shipped_stub() -> str:
    return importlib.resources.files("salesfunnel").joinpath("_core.pyi").read_text()


def test_every_public_name_has_a_stub():
    tree = ast.parse(shipped_stub())
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    public = {n for n in dir(_core) if not n.startswith("_")}
    assert public - stubbed == set(), "regenerate: pybind11-stubgen salesfunnel._core -o python"


@pytest.mark.skipif(shutil.which("pybind11-stubgen") is None, reason="pybind11-stubgen not installed")
def test_stub_matches_a_fresh_generation(tmp_path):
    subprocess.run([sys.executable, "-m", "pybind11_stubgen", "salesfunnel._core", "-o",
                    str(tmp_path)], check=True, capture_output=True)
    fresh = (tmp_path / "salesfunnel" / "_core.pyi").read_text()
    assert fresh == shipped_stub(), "regenerate: pybind11-stubgen salesfunnel._core -o python"
