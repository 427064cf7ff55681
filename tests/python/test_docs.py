"""The documentation site builds from docs/ with warnings as errors."""

import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def test_docs_build_without_warnings(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS),
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "api-python.html").read_text()
    for name in ("MarkovModel", "EventLog", "FunnelReport", "great_conversations", "StageGraph"):
        assert name in api
    for page in ("concepts", "methodology", "markov", "api-c", "api-cpp", "benchmarks", "changelog"):
        assert (tmp_path / f"{page}.html").exists()
