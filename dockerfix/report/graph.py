"""Draw a Dockerfile's step dependency graph as Graphviz dot or Mermaid text.

Each stage is a cluster (dot) or subgraph (Mermaid) headed by its FROM; an edge a→b means
step a must stay before step b, labelled with the resources they share.  Only the edges of
the transitive reduction are drawn: an ordering implied by a chain of others adds clutter
and no information.
"""

from __future__ import annotations

from dockerfix.model.constraints import must_precede, to_networkx
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, stage_effects
from dockerfix.model.stages import Model, Stage, build_model
from dockerfix.records import dataclass
from dockerfix.syntax import Dockerfile

__all__ = [
    "DependencyGraph",
    "GraphEdge",
    "GraphNode",
    "StageGraph",
    "build_graph",
    "render_dot",
    "render_mermaid",
    "short_instruction",
]

# Long edge labels (every path a COPY writes) make the drawing unreadable.
MAX_LABEL = 48


@dataclass(frozen=True)
class GraphNode:
    """One instruction: its position in the file (a unique id), first line and short text."""

    position: int
    line: int
    text: str


@dataclass(frozen=True)
class GraphEdge:
    """``source`` must run before ``target`` because of ``label`` (resources, or a stage)."""

    source: int
    target: int
    label: str


@dataclass(frozen=True)
class StageGraph:
    """A stage: its FROM, its steps in file order, and the constraints between them."""

    index: int
    title: str
    head: GraphNode
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


@dataclass(frozen=True)
class DependencyGraph:
    """All stages, plus the edges between stages (FROM a stage, COPY --from)."""

    stages: tuple[StageGraph, ...]
    cross_edges: tuple[GraphEdge, ...]


def short_instruction(text: str, width: int = 40) -> str:
    """An instruction on one line (whitespace collapsed), cut to ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def build_graph(
    tree: Dockerfile,
    ctx: BuildContext | None,
    effects: dict[int, Effect] | None = None,
    model: Model | None = None,
) -> DependencyGraph:
    """The dependency graph of every stage of ``tree`` (``effects`` by position and the
    ``model``, if known)."""
    model = model if model is not None else build_model(tree)
    stages: list[StageGraph] = []
    cross: list[GraphEdge] = []
    for stage in model.stages:
        stage_fx = (
            {s.position: effects[s.position] for s in stage.steps}
            if effects is not None
            else stage_effects(model, stage, ctx)
        )
        stages.append(_stage_graph(stage, stage_fx))
        cross += _cross_edges(model, stage, stage_fx)
    return DependencyGraph(tuple(stages), tuple(cross))


def _node(position: int, line: int, text: str) -> GraphNode:
    return GraphNode(position, line, short_instruction(text))


def _stage_graph(stage: Stage, effects: dict[int, Effect]) -> StageGraph:
    import networkx as nx

    order = [s.position for s in stage.steps]
    edges = must_precede(order, effects)
    reduced = nx.transitive_reduction(to_networkx(edges, order))
    kept = [
        GraphEdge(a, b, _label(edges[(a, b)]))
        for a, b in sorted(reduced.edges, key=lambda e: (order.index(e[1]), order.index(e[0])))
    ]
    head_ins = stage.start.instruction
    head = _node(stage.start.position, head_ins.start_line, head_ins.original)
    base_label = "base stage" if stage.base_stage is not None else "base image"
    roots = [GraphEdge(head.position, p, base_label) for p in order if not reduced.in_degree(p)]
    title = f"stage {stage.index}" + (f" ({stage.name})" if stage.name else "")
    nodes = tuple(
        _node(s.position, s.instruction.start_line, s.instruction.original) for s in stage.steps
    )
    return StageGraph(stage.index, title, head, nodes, (*roots, *kept))


def _label(resources: list[str]) -> str:
    text = "; ".join(_short_resource(r) for r in resources)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."


def _short_resource(resource: str) -> str:
    """``files: a, b, c`` becomes ``files: a +2``: the first path says where, the count how much."""
    kind, sep, names = resource.partition(": ")
    parts = names.split(", ")
    if not sep or kind != "files" or len(parts) <= 1:
        return resource
    return f"{kind}: {parts[0]} +{len(parts) - 1}"


def _stage_tail(stage: Stage) -> int:
    """The node that stands for a whole finished stage: its last step, or its FROM."""
    return stage.steps[-1].position if stage.steps else stage.start.position


def _cross_edges(model: Model, stage: Stage, effects: dict[int, Effect]) -> list[GraphEdge]:
    out: list[GraphEdge] = []
    if stage.base_stage is not None:
        base = model.stages[stage.base_stage]
        out.append(GraphEdge(_stage_tail(base), stage.start.position, "FROM stage"))
    for step in stage.steps:
        for ref in effects[step.position].stage_refs:
            source = model.stage_named(ref)
            if source is not None and source.index < stage.index:
                out.append(GraphEdge(_stage_tail(source), step.position, "COPY --from"))
    return out


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: DependencyGraph) -> str:
    """Graphviz dot text: ``dot -Tsvg`` draws it."""
    lines = [
        "digraph dockerfile {",
        "  rankdir=TB;",
        '  node [shape=box, fontname="monospace", fontsize=10];',
        "  edge [fontsize=9];",
    ]
    for stage in graph.stages:
        lines.append(f"  subgraph cluster_{stage.index} {{")
        lines.append(f"    label={_dot_quote(stage.title)};")
        head = stage.head
        lines.append(
            f"    n{head.position} [label={_dot_quote(f'L{head.line} {head.text}')}, "
            "style=filled, fillcolor=lightgrey];"
        )
        for node in stage.nodes:
            lines.append(f"    n{node.position} [label={_dot_quote(f'L{node.line} {node.text}')}];")
        lines.append("  }")
    for stage in graph.stages:
        for edge in stage.edges:
            lines.append(f"  n{edge.source} -> n{edge.target} [label={_dot_quote(edge.label)}];")
    for edge in graph.cross_edges:
        lines.append(
            f"  n{edge.source} -> n{edge.target} [label={_dot_quote(edge.label)}, style=dashed];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid has no backslash escapes inside quoted labels, only HTML entity codes.
    return '"' + text.replace('"', "#quot;") + '"'


def render_mermaid(graph: DependencyGraph) -> str:
    """Mermaid flowchart text (renders in GitHub markdown inside a ```mermaid block)."""
    lines = ["flowchart TD"]
    for stage in graph.stages:
        lines.append(f"  subgraph s{stage.index}[{_mermaid_text(stage.title)}]")
        for node in (stage.head, *stage.nodes):
            lines.append(f"    n{node.position}[{_mermaid_text(f'L{node.line} {node.text}')}]")
        lines.append("  end")
    for stage in graph.stages:
        for edge in stage.edges:
            lines.append(f"  n{edge.source} -->|{_mermaid_text(edge.label)}| n{edge.target}")
    for edge in graph.cross_edges:
        lines.append(f"  n{edge.source} -.->|{_mermaid_text(edge.label)}| n{edge.target}")
    return "\n".join(lines) + "\n"
