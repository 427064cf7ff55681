"""The header layers include only downward, and the core pays for no parser.

Layers (docs/api-cpp.md): config -> detail -> core -> stats -> model | methodology,
and io beside stats (it needs only the core). A header may include its own
layer and the layers below it; model and methodology never include each other.
"""
import pathlib
import re

import pytest

INCLUDE = pathlib.Path(__file__).resolve().parents[2] / "include" / "salesfunnel"
BELOW = {
    "config": {"config"},
    "detail": {"config", "detail"},
    "core": {"config", "detail", "core"},
    "io": {"config", "detail", "core", "io"},
    "stats": {"config", "detail", "core", "stats"},
    "model": {"config", "detail", "core", "stats", "model"},
    "methodology": {"config", "detail", "core", "stats", "methodology"},
}
OUR = re.compile(r'#include\s+[<"]salesfunnel/([^">]+)[">]')
ANY = re.compile(r'#include\s+[<"]([^">]+)[">]')


def layer(rel: str) -> str:
    """The layer of a header path relative to include/salesfunnel."""
    parts = rel.split("/")
    if len(parts) == 1:
        return "umbrella" if rel.startswith("salesfunnel.") else "config"
    return parts[0]


def headers():
    return sorted(p.relative_to(INCLUDE).as_posix() for p in INCLUDE.rglob("*.hpp"))


def includes(rel: str):
    return OUR.findall((INCLUDE / rel).read_text())


def test_every_header_is_in_a_known_layer():
    unknown = [h for h in headers() if layer(h) not in BELOW and layer(h) != "umbrella"]
    assert unknown == []
    # The layered layout: no feature header left in the flat top folder.
    assert sorted(h for h in headers() if "/" not in h) == ["config.hpp", "salesfunnel.hpp"]


@pytest.mark.parametrize("rel", headers())
def test_no_upward_include(rel):
    if layer(rel) == "umbrella":
        return
    upward = [inc for inc in includes(rel) if layer(inc) not in BELOW[layer(rel)]]
    assert upward == [], f"{rel} includes a higher or sibling layer: {upward}"


def test_the_checker_sees_an_upward_include(tmp_path):
    # A test that cannot fail is a defect: a core header including stats is caught.
    assert layer("stats/funnel_report.hpp") not in BELOW[layer("core/event_log.hpp")]
    assert layer("methodology/audit.hpp") not in BELOW[layer("model/markov.hpp")]


def transitive_externals(rel: str, seen=None):
    """Every non-project header reached from `rel` through project headers."""
    seen = set() if seen is None else seen
    if rel in seen:
        return set()
    seen.add(rel)
    out = set()
    for inc in ANY.findall((INCLUDE / rel).read_text()):
        if inc.startswith("salesfunnel/"):
            sub = inc[len("salesfunnel/"):]
            if (INCLUDE / sub).exists():
                out |= transitive_externals(sub, seen)
        else:
            out.add(inc)
    return out


def test_event_log_and_funnel_pull_in_no_graph_library_or_json_parser():
    ext = transitive_externals("stats/funnel_report.hpp") | transitive_externals("core/event_log.hpp")
    assert not [e for e in ext if e.startswith(("boost/", "nlohmann/"))]
    # ...and the io headers are where they live.
    assert "nlohmann/json.hpp" in transitive_externals("io/graph_json.hpp")
    assert any(e.startswith("boost/graph") for e in transitive_externals("io/boost_graph.hpp"))
