import pytest

import salesfunnel as sf


def test_templates():
    g = sf.templates.sales_cycle()
    assert g.main_path == ["Lead", "Contact", "First Meeting", "Active Prospect", "Client",
                           "Advocate"]
    assert len(g) == 10 and len(g.transitions) == 15
    assert g.kinds["Nurture"] == "nurture"
    t = sf.templates.ten_commitments()
    commitments = t.transitions.set_index(["from_stage", "to_stage"])["commitment"]
    path = t.main_path
    assert [commitments[(a, b)] for a, b in zip(path, path[1:])] == [
        "time", "explore", "change", "collaborate", "build consensus", "invest", "review",
        "resolve concerns", "decide", "execute"]


def test_build_validate_and_round_trip():
    g = sf.StageGraph("mini")
    g.add_stage("Lead", "entry")
    g.add_stage("Won", "won")
    g.add_stage("Lost", "lost")
    g.add_transition("Lead", "Won", commitment="buys")
    g.add_transition("Lead", "Lost")
    g.validate()
    back = sf.StageGraph.from_json(g.to_json())
    assert back == g
    assert back.to_dict()["transitions"][0] == {"from": "Lead", "to": "Won", "commitment": "buys"}
    assert '"Lead" -> "Won" [label="buys"]' in g.to_dot()


def test_graph_errors():
    g = sf.StageGraph()
    g.add_stage("A", "entry")
    with pytest.raises(sf.AlreadyExistsError, match="duplicate stage name 'A'"):
        g.add_stage("A", "open")
    with pytest.raises(sf.NotFoundError, match="unknown stage 'B'; known stages: A"):
        g.add_transition("A", "B")
    with pytest.raises(sf.InvalidArgumentError, match="allowed: entry, open, won, lost, nurture"):
        g.add_stage("B", "closed")
    with pytest.raises(sf.FailedPreconditionError, match="no won stage"):
        g.validate()
    with pytest.raises(sf.InvalidArgumentError, match="not valid JSON"):
        sf.StageGraph.from_json("{nope")
