"""Stage graphs: stages joined by buyer commitments."""

from __future__ import annotations

import json
from typing import Iterable

import pandas as pd

from . import _args, _core

__all__ = ["StageGraph"]


class StageGraph:
    """A sales process: stages (entry, open, won, lost, nurture) joined by
    named commitment transitions. Backward edges and skips are allowed.

    >>> g = StageGraph("demo")
    >>> g.add_stage("Lead", "entry"); g.add_stage("Client", "won"); g.add_stage("Lost", "lost")
    >>> g.add_transition("Lead", "Client", commitment="decides to buy")
    >>> g.add_transition("Lead", "Lost")
    >>> g.validate()
    """

    def __init__(self, name: str = "", *, _core_graph: "_core.StageGraph | None" = None):
        self._g = _core_graph if _core_graph is not None else _core.StageGraph(name)

    @classmethod
    def _wrap(cls, g: "_core.StageGraph") -> "StageGraph":
        return cls(_core_graph=g)

    # building
    def add_stage(self, name: str, kind: str = "open") -> None:
        """Add a stage of kind 'entry', 'open', 'won', 'lost' or 'nurture'.

        >>> g = sf.StageGraph("mine"); g.add_stage("Lead", "entry")
        """
        self._g.add_stage(_args.text("stage name", name), _args.text("stage kind", kind))

    def add_transition(self, source: str, target: str, commitment: str = "") -> None:
        """Add the commitment edge ``source -> target``.

        >>> g.add_transition("Lead", "Contact", commitment="agrees to talk")
        """
        self._g.add_transition(_args.text("source", source), _args.text("target", target),
                               _args.text("commitment", commitment))

    def validate(self) -> None:
        """Raise FailedPreconditionError unless the graph has an entry and a won
        stage and every stage can reach a won or lost stage.

        >>> sf.templates.sales_cycle().validate()
        """
        self._g.validate()

    # reading
    @property
    def name(self) -> str:
        """The graph's name.

        >>> sf.templates.sales_cycle().name
        """
        return self._g.name

    @property
    def stages(self) -> list[str]:
        """Stage names in declaration order.

        >>> sf.templates.sales_cycle().stages[:3]      # ['Lead', 'Contact', 'First Meeting']
        """
        return list(self._g.stage_names)

    @property
    def kinds(self) -> dict[str, str]:
        """Stage name -> kind.

        >>> sf.templates.sales_cycle().kinds["Client"]   # 'won'
        """
        return dict(zip(self._g.stage_names, self._g.stage_kinds))

    @property
    def main_path(self) -> list[str]:
        """Entry, open and won stages in declaration order.

        >>> sf.datasets.bpi2012_graph().main_path[-1]  # 'Approved'
        """
        return list(self._g.main_path)

    @property
    def transitions(self) -> pd.DataFrame:
        """One row per edge: from_stage, to_stage, commitment.

        >>> sf.templates.sales_cycle().transitions[["from_stage", "to_stage"]].head()
        """
        return pd.DataFrame(self._g.transition_list,
                            columns=["from_stage", "to_stage", "commitment"])

    def has_edge(self, source: str, target: str) -> bool:
        """Whether ``source`` -> ``target`` is a commitment of the graph.

        >>> sf.templates.sales_cycle().has_edge("Lead", "Contact")     # True
        """
        return self._g.has_edge(source, target)

    def __len__(self) -> int:
        return self._g.num_stages

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StageGraph) and self._g == other._g

    # pickling: the versioned binary form, checked when read back
    def __getstate__(self) -> bytes:
        return self._g.to_bytes()

    def __setstate__(self, state: bytes) -> None:
        self._g = _core.StageGraph.from_bytes(state)

    def __repr__(self) -> str:
        return (f"StageGraph({self.name!r}: {len(self)} stages, "
                f"{len(self._g.transition_list)} transitions; main path "
                f"{' -> '.join(self.main_path)})")

    def _repr_html_(self) -> str:
        from .display import stage_graph_html
        return stage_graph_html(self)

    # formats
    def to_json(self, indent: int = 2) -> str:
        """The graph as JSON text, read back by :meth:`from_json`.

        >>> text = graph.to_json(); sf.StageGraph.from_json(text).stages == graph.stages
        """
        return self._g.to_json(indent)

    def to_dict(self) -> dict:
        """The graph's JSON as a dict (stages with kinds, transitions).

        >>> graph.to_dict()["name"]
        """
        return json.loads(self.to_json())

    @classmethod
    def from_json(cls, text: "str | dict") -> "StageGraph":
        """Parse the JSON form (a string or an already-parsed dict); validates.

        >>> g = sf.StageGraph.from_json(sf.templates.sales_cycle().to_json())
        """
        if isinstance(text, dict):
            text = json.dumps(text)
        return cls._wrap(_core.StageGraph.from_json(_args.text("stage graph JSON", text)))

    def to_dot(self) -> str:
        """Graphviz DOT: stages coloured by kind, edges labelled by commitment.

        >>> open("funnel.dot", "w").write(sf.templates.sales_cycle().to_dot())
        """
        return self._g.to_dot()

    @classmethod
    def discover(cls, log, won: Iterable[str], lost: Iterable[str] = (),
                 nurture: Iterable[str] = (), min_count: int = 1,
                 name: str = "discovered") -> "StageGraph":
        """Build a graph from a log's directly-follows transitions. The stage
        that most often starts a deal becomes the entry; stages are declared in
        order of their mean position in the deals' paths.

        >>> g = sf.StageGraph.discover(log, won=["Client"], lost=["Lost", "Disqualified"])
        """
        return cls._wrap(_core.discover_stage_graph(log._log, list(won), list(lost),
                                                    list(nurture), int(min_count), name))
