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


def test_site_shows_no_private_parameters_and_a_real_footer(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS),
                           str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "api-python.html").read_text()
    assert "_core_graph" not in api                      # StageGraph's internal hook
    assert "read_events" in api and "to_polars" in api
    index = (tmp_path / "index.html").read_text()
    assert "&#169;." not in index and "the salesfunnel developers, MIT licence" in index
    # Code scrolls inside its box rather than running past the page.
    assert "salesfunnel.css" in index
    assert "overflow-x: auto" in (tmp_path / "_static" / "salesfunnel.css").read_text()
