"""One self-contained HTML page (``check --format html``, ``diff A B --format html``).

No network: the CSS, the SVG drawings and a small script are inline, and a Content-Security-Policy forbids
every fetch. Without JavaScript the essentials are all there: the config × backend matrix (filters by
status and by code are checkboxes and radio buttons that CSS ``:has()`` acts on), per failing config the
findings and the workflow graph laid out left to right with the failing nodes and inputs marked, and for
snapshot drift both graphs with the changes. The script only adds zoom and pan to the drawings.

Marks never rely on colour alone (Okabe-Ito colours, and a line style plus a glyph each): a failing node
is thick vermillion with ``⚠``; in a diff a removed node is dashed vermillion ``−``, an added one thick
bluish-green ``+``, a changed one dotted blue ``~``, an ignored difference dash-dotted grey ``·``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from comfy_contract.check.results import PROJECT, CheckResult, Graphs, Report
from comfy_contract.core.codes import lookup
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Finding
from comfy_contract.core.safetext import printable
from comfy_contract.report.common import Cell, era_lines, problems, redundant, rows
from comfy_contract.report.graphlayout import layout
from comfy_contract.snapshot.canonical import Normalisation
from comfy_contract.snapshot.diff import Change, ChangeKind, GraphDiff, diff

__all__ = ["diff_html", "report_html"]

_DROP = ("Note", "MarkdownNote")


def _e(value: object) -> str:
    return html.escape(printable(str(value)), quote=True)


def _slug(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group()):x}", p) for p in parts)


# --- drawing a workflow ---------------------------------------------------------------------------


@dataclass
class _Marks:
    """What to mark on one drawing: node id -> (css class, extra label lines), and marked links."""

    nodes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (src, dst, input) -> css class

    def node(self, nid: str, css: str, line: str | None = None) -> None:
        old_css, lines = self.nodes.get(nid, (css, []))
        if line and line not in lines:
            lines.append(line)
        rank = ("n-ignored", "n-changed", "n-added", "n-removed", "n-fail")
        keep = old_css if rank.index(old_css) > rank.index(css) else css
        self.nodes[nid] = (keep, lines)


_GLYPH = {"n-fail": "⚠ ", "n-removed": "− ", "n-added": "+ ", "n-changed": "~ ", "n-ignored": "· "}


def _nodes(workflow: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    body = workflow.get("prompt") if isinstance(workflow.get("prompt"), Mapping) else workflow
    assert isinstance(body, Mapping)
    return {str(k): v for k, v in body.items()
            if isinstance(v, Mapping) and v.get("class_type") not in _DROP}


def _links(node: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    inputs = node.get("inputs")
    out = []
    for name, v in (inputs.items() if isinstance(inputs, Mapping) else ()):
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], int):
            out.append((str(name), v[0], v[1]))
    return out


def _label(nid: str, node: Mapping[str, Any]) -> list[str]:
    cls = str(node.get("class_type", "?"))
    meta = node.get("_meta")
    title = meta.get("title") if isinstance(meta, Mapping) else None
    lines = [f"#{nid} {cls}"]
    if isinstance(title, str) and title and title != cls:
        lines.append(title)
    return lines


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def graph_svg(workflow: Mapping[str, Any], marks: _Marks, *, caption: str) -> str:
    """The workflow as an SVG drawing, left to right, with ``marks``."""
    nodes = _nodes(workflow)
    labels = {nid: [_cut(t) for t in _label(nid, n) + marks.nodes.get(nid, ("", []))[1]] for nid, n in nodes.items()}
    edges = [(src, nid) for nid, n in nodes.items() for _, src, _ in _links(n) if src in nodes]
    lay = layout(labels, edges)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="wf" width="{lay.width:.0f}" '
             f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" '
             f'aria-label="{_e(caption)}"><title>{_e(caption)}</title>']
    for nid, n in nodes.items():
        for name, src, slot in _links(n):
            if src not in nodes:
                continue
            a, b = lay.boxes[src], lay.boxes[nid]
            x1, y1, x2, y2 = a.right, a.middle, b.x, b.middle
            bend = max(30.0, abs(x2 - x1) / 2)
            css = marks.edges.get((src, nid, name), "")
            parts.append(f'<path class="e {css}" d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} '
                         f'{x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"><title>{_e(src)}[{slot}] → '
                         f'{_e(nid)}.{_e(name)}</title></path>')
    for nid in nodes:
        box = lay.boxes[nid]
        css, extra = marks.nodes.get(nid, ("", []))
        lines = labels[nid]
        glyph = _GLYPH.get(css, "")
        parts.append(f'<g class="n {css}" id="{_e(_slug(caption, nid))}" data-node="{_e(nid)}">'
                     f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" height="{box.height:.0f}" '
                     f'rx="6"/>')
        for i, text in enumerate(lines):
            weight = ' class="t1"' if i == 0 else (' class="tm"' if i >= len(lines) - len(extra) else "")
            shown = (glyph + text) if i == 0 else text
            parts.append(f'<text x="{box.x + 8:.0f}" y="{box.y + 18 + 14 * i:.0f}"{weight}>{_e(shown)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return (f'<figure class="graph"><div class="pane">{"".join(parts)}</div>'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


# --- marks from a diff ----------------------------------------------------------------------------


def _diff_marks(result: GraphDiff) -> tuple[_Marks, _Marks]:
    ma, mb = _Marks(), _Marks()
    for change in (*result.changes, *result.ignored):
        ignored = change.ignored_by is not None
        word = _change_word(change)
        if change.kind in (ChangeKind.NODE_REMOVED, ChangeKind.OUTPUT_REMOVED):
            for nid in change.a:
                ma.node(nid, "n-ignored" if ignored else "n-removed", "removed" + (" (ignored)" if ignored else ""))
            continue
        if change.kind in (ChangeKind.NODE_ADDED, ChangeKind.OUTPUT_ADDED):
            for nid in change.b:
                mb.node(nid, "n-ignored" if ignored else "n-added", "added" + (" (ignored)" if ignored else ""))
            continue
        css = "n-ignored" if ignored else "n-changed"
        for nid in change.a:
            ma.node(nid, css, word)
        for nid in change.b:
            mb.node(nid, css, word)
        if change.kind is ChangeKind.LINK_REWIRED and change.input:
            for marks, value, ids, edge_css in ((ma, change.old, change.a, "e-removed"),
                                                  (mb, change.new, change.b, "e-added")):
                if isinstance(value, Mapping) and "link" in value and ids:
                    marks.edges[(str(value["link"][0]), ids[0], change.input)] = (
                        "e-ignored" if ignored else edge_css)
    return ma, mb


def _change_word(c: Change) -> str:
    if c.kind is ChangeKind.NODE_REPLACED:
        return f"was {c.old}"
    if c.input is None:
        return str(c.kind)
    def short(v: Any) -> str:
        if isinstance(v, Mapping) and "link" in v:
            return f"←#{v['link'][0]}"
        return "∅" if v is None else _cut(repr(v), 14)
    return f"{c.input}: {short(c.old)}→{short(c.new)}"


def _diff_body(result: GraphDiff, a: Mapping[str, Any], b: Mapping[str, Any], names: tuple[str, str],
               prefix: str) -> str:
    ma, mb = _diff_marks(result)
    out = [f'<p class="dsum">{_e(result.summary())}</p>']
    if result.changes or result.ignored:
        out.append('<table class="changes"><thead><tr><th></th><th>change</th><th>node</th><th>input</th>'
                   "<th>a</th><th>b</th><th>old → new</th></tr></thead><tbody>")
        for c in (*result.changes, *result.ignored):
            mark = "·" if c.ignored_by else ("~" if c.structural else "*")
            note = f' <span class="rule">ignored: {_e(c.ignored_by)}</span>' if c.ignored_by else ""
            old_new = "" if c.input is None and c.kind is not ChangeKind.NODE_REPLACED else (
                f"{_e(_show(c.old))} → {_e(_show(c.new))}")
            out.append(f'<tr class="{"ign" if c.ignored_by else ""}"><td>{mark}</td><td>{_e(c.kind)}{note}</td>'
                       f"<td>{_e(c.class_type)}</td><td>{_e(c.input or '')}</td><td>{_e(','.join(c.a))}</td>"
                       f"<td>{_e(','.join(c.b))}</td><td class=\"val\">{old_new}</td></tr>")
        out.append("</tbody></table>")
        out.append('<pre class="words">' + _e("\n".join(result.node_lines())) + "</pre>")
    out.append(_LEGEND)
    out.append('<div class="pair">')
    out.append(graph_svg(a, ma, caption=f"{prefix}a: {names[0]}"))
    out.append(graph_svg(b, mb, caption=f"{prefix}b: {names[1]}"))
    out.append("</div>")
    return "".join(out)


def _show(value: Any) -> str:
    if isinstance(value, Mapping) and "link" in value:
        return f"← {value.get('class_type')} #{value['link'][0]}[{value['link'][1]}]"
    return "(absent)" if value is None else _cut(repr(value), 80)


_LEGEND = (
    '<div class="legend" aria-label="legend">'
    '<span class="lg n-fail">⚠ failing node</span><span class="lg n-removed">− removed (a)</span>'
    '<span class="lg n-added">+ added (b)</span><span class="lg n-changed">~ changed</span>'
    '<span class="lg n-ignored">· ignored by a rule</span>'
    '<span class="lg"><svg width="34" height="10"><path class="e e-removed" d="M2,5 H32"/></svg> link removed</span>'
    '<span class="lg"><svg width="34" height="10"><path class="e e-added" d="M2,5 H32"/></svg> link added</span>'
    "</div>"
)


def diff_html(result: GraphDiff, a: Mapping[str, Any], b: Mapping[str, Any], *,
              names: tuple[str, str] = ("A", "B")) -> str:
    """``comfy-contract diff A B --format html``: the changes, the per-node view and both graphs."""
    title = f"comfy-contract diff: {result.summary()}"
    body = f"<header><h1>{_e(title)}</h1><p>a = {_e(names[0])}<br>b = {_e(names[1])}</p></header>"
    return _page(title, body + f'<section class="config">{_diff_body(result, a, b, names, "")}</section>')


# --- the check report -----------------------------------------------------------------------------


_RANK = {"error": 3, "fail": 2, "pass": 1, "n/a": 0}


def _status_css(status: str) -> str:
    return "st-na" if status == "n/a" else f"st-{status}"


def _cell_html(c: Cell, anchor: str | None) -> str:
    text = c.text(limit=6)
    inner = f'<a href="#{anchor}">{_e(text)}</a>' if anchor and c.status in ("fail", "error") else _e(text)
    return f'<td class="cell {_status_css(c.status)}">{inner}</td>'


def report_html(report: Report) -> str:
    """``check --format html``: the matrix with filters, then each failing config with its findings and graphs."""
    s = report.summary()
    failing = s["failing_configs"]
    head = (f"{len(failing)} of {s['configs']} configs fail" if report.exit_code == 1 else
            f"{s['errors']} checks could not run" if report.exit_code == 2 else f"all {s['configs']} configs pass")
    title = f"comfy-contract check: {head}"
    backends = list(report.backends) or ["any"]
    table = rows(report)
    by_key: dict[tuple[str, str], list[CheckResult]] = {}
    for r in report.results:
        by_key.setdefault((r.config, r.mode), []).append(r)
    shown_sections = {(c, m) for c, m, cells in table if any(x.status in ("fail", "error") for x in cells.values())}
    codes = sorted({code for _, _, cells in table for x in cells.values() for code in x.codes})
    out = [f"<header><h1>{_e(title)}</h1>",
           f'<p class="sum">{s["results"]} results: {s["passed"]} passed, {s["failed"]} failed, '
           f'{s["errors"]} errors; modes {_e(", ".join(report.modes))}; backends {_e(", ".join(backends))}; '
           f'fail on {_e(s["fail_on"])}; exit {report.exit_code}'
           + (f"; {_e(report.selection_note)}" if report.selection_note else "")
           + (f'; {s["accepted_by_baseline"]} accepted by the baseline' if s["accepted_by_baseline"] else "")
           + "</p>",
           *(f'<p class="era">{_e(line)}</p>' for line in era_lines(report)),
           f'<p class="cmd"><code>{_e(report.command)}</code></p></header>']
    # filters: checkboxes and radios that CSS acts on (no script needed)
    out.append('<form class="filters" aria-label="filters"><fieldset><legend>status</legend>')
    for st_name, label in (("fail", "FAIL"), ("error", "ERROR"), ("pass", "pass"), ("na", "n/a")):
        out.append(f'<label><input type="checkbox" id="f-{st_name}" checked> {label}</label>')
    out.append('</fieldset><fieldset><legend>code</legend><label><input type="radio" name="code" id="code-all" '
               'checked> all</label>')
    for code in codes:
        out.append(f'<label title="{_e(lookup(code).title)}"><input type="radio" name="code" id="code-{_e(code)}"> '
                   f"{_e(code)}</label>")
    out.append("</fieldset></form>")
    out.append('<table class="matrix"><thead><tr><th>config</th><th>mode</th>'
               + "".join(f"<th>{_e(b)}</th>" for b in backends) + "</tr></thead><tbody>")
    for config, mode, cells in table:
        worst = max((x.status for x in cells.values()), key=lambda st: _RANK[st], default="n/a")
        row_codes = sorted({code for x in cells.values() for code in x.codes})
        anchor = _slug("cfg", config, mode) if (config, mode) in shown_sections else None
        classes = " ".join(["row", _status_css(worst), *(f"c-{c}" for c in row_codes)])
        out.append(f'<tr class="{_e(classes)}"><td>{_e(config)}</td><td>{_e(mode)}</td>'
                   + "".join(_cell_html(cells[b], anchor) for b in backends) + "</tr>")
    out.append("</tbody></table>")
    # failing configs
    out.append('<h2 class="sec">failing configs</h2>' if shown_sections else "")
    for config, mode, cells in table:
        if (config, mode) not in shown_sections:
            continue
        out.append(_config_section(report, config, mode, cells, by_key.get((config, mode), [])))
    project = [r for r in report.results if r.config == PROJECT and r.findings]
    if project:
        out.append('<section class="config project" id="project"><h2>project</h2><ol class="findings">')
        for r in project:
            out += [_finding_li(f, r) for f in r.findings]
        out.append("</ol></section>")
    return _page(title, "".join(out))


def _config_section(report: Report, config: str, mode: str, cells: Mapping[str, Cell],
                    results: Sequence[CheckResult]) -> str:
    codes = sorted({c for x in cells.values() for c in x.codes})
    worst = max((x.status for x in cells.values()), key=lambda st: _RANK[st], default="n/a")
    sid = _slug("cfg", config, mode)
    out = [f'<section class="config {_status_css(worst)} {" ".join("c-" + c for c in codes)}" id="{_e(sid)}" '
           f'data-config="{_e(config)}" data-mode="{_e(mode)}">',
           f"<h2>{_e(config)} <small>{_e(mode)}</small></h2>"]
    mini = Report(tuple(r for r in results if r.status in ("fail", "error")), fail_on=report.fail_on,
                  backends=report.backends, modes=report.modes)
    marks = _Marks()
    graphs = report.graphs.get((config, mode))
    nodes = _nodes(graphs.workflow) if graphs is not None else {}
    out.append('<ol class="findings">')
    for r in mini.errored:
        out.append(f'<li class="error"><b>ERROR</b> {_e(r.check)} on {_e(r.backend)}: {_e(r.error or "")}</li>')
    for problem in problems(mini, only_failing=True):
        f = problem.finding
        if report.fail_on is not None and not f.severity.at_least(report.fail_on):
            continue
        out.append(_finding_li(f, problem.first, backends=problem.backends, location=problem.location,
                               reproduce=problem.reproduce))
        if f.node_id is not None and f.node_id in nodes:
            marks.node(f.node_id, "n-fail", f"{f.code} {f.input}" if f.input else f.code)
    out.append("</ol>")
    if graphs is not None:
        out.append(graph_svg(graphs.workflow, marks, caption=f"{config} [{mode}]: the workflow the app submits"))
        drift = _drift(graphs, results)
        if drift is not None:
            out.append('<h3>snapshot drift</h3>' + _diff_body(drift, graphs.snapshot or {}, graphs.workflow,
                                                             ("snapshot", "rendered"), f"{config} [{mode}] "))
    out.append("</section>")
    return "".join(out)


def _drift(graphs: Graphs, results: Sequence[CheckResult]) -> GraphDiff | None:
    if graphs.snapshot is None or not any(f.code == "S002" for r in results for f in r.findings):
        return None
    try:
        norm = Normalisation.from_dict(graphs.normalisation or {})
        return diff(graphs.snapshot, graphs.workflow, norm)
    except ComfyContractError:
        return None


def _finding_li(f: Finding, r: CheckResult, *, backends: Sequence[str] = (), location: Any = None,
                reproduce: str | None = None) -> str:
    if redundant(r, f):
        return ""
    where = []
    if f.node_id is not None:
        where.append(f"node {f.node_id!r}" + (f" ({f.class_type})" if f.class_type else "")
                     + (f", input {f.input!r}" if f.input else ""))
    loc = location if location is not None else None
    parts = [f'<li class="sev-{_e(f.severity)}"><b class="code">{_e(f.code)}</b> '
             f'<span class="title">{_e(lookup(f.code).title)}</span> <i>[{_e(f.severity)}]</i> '
             f'<span class="ctx">{_e(r.check)} · {_e(", ".join(backends or (r.backend,)))}</span>']
    if where:
        parts.append(f'<div class="where">{_e("; ".join(where))}</div>')
    parts.append(f'<div class="msg">{_e(_cut(f.message, 600))}</div>')
    if f.expected is not None or f.actual is not None:
        parts.append(f'<div class="ea">expected <code>{_e(_cut(repr(f.expected), 200))}</code>, actual '
                     f'<code>{_e(_cut(repr(f.actual), 200))}</code></div>' if f.code != "S002" else "")
    if loc is not None:
        parts.append(f'<div class="file">{_e(loc)}</div>')
    command = reproduce or r.reproduce
    if command:
        parts.append(f'<div class="repro">Reproduce with: <code>{_e(command)}</code></div>')
    parts.append("</li>")
    return "".join(parts)


# --- the page -------------------------------------------------------------------------------------


def _filter_css(codes: Sequence[str]) -> str:
    rules = [f"body:has(#f-{st}:not(:checked)) .st-{st}{{display:none}}" for st in ("fail", "error", "pass", "na")]
    for code in codes:
        c = re.sub(r"[^A-Za-z0-9_-]", "", code)
        rules.append(f"body:has(#code-{c}:checked) .row:not(.c-{c}),"
                     f"body:has(#code-{c}:checked) section.config:not(.c-{c}){{display:none}}")
    return "\n".join(rules)


_CSS = """
:root{--fail:#D55E00;--add:#009E73;--chg:#0072B2;--ign:#8a8a8a;--ink:#1b1b1b;--bg:#fff;--mute:#666}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:var(--bg);margin:0 auto;padding:16px 24px;max-width:1400px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 6px}h2 small{color:var(--mute);font-weight:400}
h3{font-size:15px}.sum,.cmd{margin:2px 0;color:var(--mute)}code{font:12px ui-monospace,Menlo,Consolas,monospace}
.filters{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.filters fieldset{border:1px solid #ccc;
border-radius:6px;padding:4px 10px}.filters label{margin-right:8px;white-space:nowrap}
table{border-collapse:collapse}.matrix td,.matrix th{border-bottom:1px solid #e4e4e4;padding:3px 10px;text-align:left}
.matrix th{position:sticky;top:0;background:#f6f6f6}.cell.st-fail{color:var(--fail);font-weight:600}
.cell.st-error{color:#7a4a00;font-weight:600}.cell.st-pass{color:#00734f}.cell.st-na{color:var(--mute)}
.cell a{color:inherit}section.config{border-top:2px solid #ddd;margin-top:18px}
.findings{padding-left:20px}.findings li{margin:8px 0}.code{font-family:ui-monospace,monospace}
.ctx,.file,.repro,.where{color:var(--mute);font-size:13px}.msg{white-space:pre-wrap;word-break:break-word}
.graph{margin:10px 0;min-width:0;max-width:100%}section.config,.pair{min-width:0;max-width:100%}
.pane{overflow:auto;max-height:75vh;border:1px solid #ddd;border-radius:6px;background:#fbfbfb}
.graph figcaption{color:var(--mute);font-size:12px}.pair{display:grid;grid-template-columns:1fr;gap:8px}
svg.wf{display:block;font:12px ui-monospace,Menlo,Consolas,monospace}
.n rect{fill:#fff;stroke:#9a9a9a;stroke-width:1.2}.n text{fill:var(--ink)}.n .t1{font-weight:700}
.n .tm{fill:var(--fail)}.e{fill:none;stroke:#9a9a9a;stroke-width:1.3}
.n-fail rect{stroke:var(--fail);stroke-width:4;fill:#fdeee4}
.n-removed rect{stroke:var(--fail);stroke-width:3;stroke-dasharray:8 4;fill:#fdeee4}
.n-added rect{stroke:var(--add);stroke-width:4;fill:#e3f5ef}
.n-changed rect{stroke:var(--chg);stroke-width:3;stroke-dasharray:2 3;fill:#e5f0f8}
.n-changed .tm{fill:var(--chg)}.n-added .tm{fill:#006e50}
.n-ignored rect{stroke:var(--ign);stroke-width:2;stroke-dasharray:8 3 2 3}.n-ignored .tm{fill:var(--ign)}
.e-removed{stroke:var(--fail);stroke-width:2.5;stroke-dasharray:6 4}.e-added{stroke:var(--add);stroke-width:3}
.e-ignored{stroke:var(--ign);stroke-dasharray:6 3 2 3}
.legend{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0;font-size:13px}
.lg{display:inline-flex;align-items:center;gap:4px}
.legend .n-fail,.legend .n-removed,.legend .n-added,.legend .n-changed,.legend .n-ignored{padding:1px 6px;
border-radius:4px;border:2px solid}.legend .n-fail{border-color:var(--fail);border-width:3px}
.legend .n-removed{border:2px dashed var(--fail)}
.legend .n-added{border:3px solid var(--add)}.legend .n-changed{border:2px dotted var(--chg)}
.legend .n-ignored{border:2px dashed var(--ign)}
.changes td,.changes th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.changes .ign{color:var(--mute)}.rule{font-size:12px;color:var(--mute)}
.val{font-family:ui-monospace,monospace;font-size:12px}
pre.words{background:#f6f6f6;padding:8px;border-radius:6px;overflow:auto}
.zoom{margin:4px 0}.zoom button{margin-right:4px}
"""

_JS = """
(function(){
  document.querySelectorAll('.graph').forEach(function(fig){
    var svg=fig.querySelector('svg.wf'); if(!svg) return;
    var w=+svg.getAttribute('width'), h=+svg.getAttribute('height'), vb=[0,0,w,h];
    function apply(){svg.setAttribute('viewBox',vb.join(' '));}
    function zoom(f,cx,cy){var nw=vb[2]*f,nh=vb[3]*f;vb[0]=cx-(cx-vb[0])*f;vb[1]=cy-(cy-vb[1])*f;
      vb[2]=nw;vb[3]=nh;apply();}
    var bar=document.createElement('div'); bar.className='zoom';
    [['+',0.8],['−',1.25],['fit',0]].forEach(function(b){
      var el=document.createElement('button'); el.type='button'; el.textContent=b[0];
      el.addEventListener('click',function(){ if(b[1]) zoom(b[1],vb[0]+vb[2]/2,vb[1]+vb[3]/2);
        else {vb=[0,0,w,h];apply();} });
      bar.appendChild(el);});
    fig.insertBefore(bar, fig.firstChild);
    svg.addEventListener('wheel',function(ev){ if(!ev.ctrlKey&&!ev.altKey) return; ev.preventDefault();
      var r=svg.getBoundingClientRect(); var cx=vb[0]+(ev.clientX-r.left)/r.width*vb[2];
      var cy=vb[1]+(ev.clientY-r.top)/r.height*vb[3]; zoom(ev.deltaY>0?1.15:0.87,cx,cy);},{passive:false});
    var drag=null;
    svg.addEventListener('mousedown',function(ev){drag=[ev.clientX,ev.clientY];});
    window.addEventListener('mouseup',function(){drag=null;});
    svg.addEventListener('mousemove',function(ev){ if(!drag) return; var r=svg.getBoundingClientRect();
      vb[0]-= (ev.clientX-drag[0])*vb[2]/r.width; vb[1]-=(ev.clientY-drag[1])*vb[3]/r.height;
      drag=[ev.clientX,ev.clientY]; apply();});
  });
})();
"""


def _page(title: str, body: str) -> str:
    codes = sorted(set(re.findall(r'id="code-([A-Za-z0-9_-]+)"', body)) - {"all"})
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(title)}</title><style>{_CSS}{_filter_css(codes)}</style></head>"
        f"<body>{body}<script>{_JS}</script></body></html>\n"
    )
