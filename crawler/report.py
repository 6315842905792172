"""The run report of ``scrapy crawlall``: per spider figures from the final stats, as JSON and static HTML.

``DATA_DIR/runs/<UTC timestamp>.json`` holds the figures; ``<timestamp>.html`` shows them as a table
per site with small inline SVG plots over the recent runs (articles stored, fallback rate per
field, duplicates, cleaning removals, failures), and ``runs/index.html`` lists every run. Plain
files, no script, no server, nothing fetched: open them in any browser.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.monitors import fallback_rates, field_coverage, stat_sum, stored_count

HISTORY = 30  # runs shown in the plots


def _sum(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items())
            if k.startswith(prefix) and isinstance(v, (int, float))}


def spider_summary(stats: Mapping[str, Any], problems: Sequence[str]) -> dict[str, Any]:
    """One spider's entry in the report; ``problems`` (from ``crawl_problems``) decide its status."""
    extracted = int(stats.get("articles/extracted", 0))
    start = stats.get("start_time")
    duration = stats.get("elapsed_time_seconds")
    if duration is None and isinstance(start, datetime):
        duration = (datetime.now(UTC) - start).total_seconds()
    prefix = "monitors/failed/"
    cleaning = {k: v for k, v in _sum(stats, "cleaning/").items() if k != "shrunk_below_half"}
    return {
        "status": "failed" if problems else "ok", "problems": list(problems),
        "finish_reason": stats.get("finish_reason"),
        "failed_monitors": {k[len(prefix):]: str(v) for k, v in sorted(stats.items()) if k.startswith(prefix)},
        "pages_fetched": int(stats.get("response_received_count", 0)), "list_pages": int(stats.get("pages/list", 0)),
        "articles_found": int(stats.get("articles/found", 0)), "articles_extracted": extracted,
        "articles_stored": stored_count(stats), "skipped_stored": int(stats.get("incremental/skipped", 0)),
        "duplicates": _sum(stats, "dedup/"),
        "drops": {**{f"rejected/{k}": v for k, v in _sum(stats, "articles/rejected/").items()},
                  **{f"validate/{k}": v for k, v in _sum(stats, "validate/dropped/").items()}},
        # articles/failed/<error>; a failed HTTP status is HttpError, detailed again under http_<status>
        "failures": stat_sum(stats, "articles/failed/") - stat_sum(stats, "articles/failed/http_"),
        "errors": int(stats.get("errors/logged", 0)),  # this spider's own ERROR lines (log_count counts the process)
        "implausible_dates": int(stats.get("validate/implausible_date", 0)),
        "cleaning_removals": sum(cleaning.values()), "fallback_rates": fallback_rates(stats),
        "field_coverage": field_coverage(stats), "duration_s": round(float(duration or 0.0), 1),
    }


def format_table(spiders: Mapping[str, Mapping[str, Any]]) -> str:
    """The report as a plain-text table, then one line per problem (``spider: problem``)."""
    head = ("spider", "status", "pages", "stored", "skipped", "dup url/exact/near", "drops", "errors",
            "max fallback", "secs")
    rows = [head]
    for name, s in spiders.items():
        d = s["duplicates"]
        worst = max(s["fallback_rates"].values(), default=0.0)
        rows.append((name, s["status"], str(s["pages_fetched"]), str(s["articles_stored"]), str(s["skipped_stored"]),
                     f"{d.get('url', 0)}/{d.get('exact', 0)}/{d.get('near_duplicate', 0)}",
                     str(sum(s["drops"].values())), str(s["errors"]), f"{worst:.0%}", f"{s['duration_s']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for name, s in spiders.items():
        lines += [f"{name}: {p}" for p in s["problems"]]
    return "\n".join(lines)


# Files --------------------------------------------------------------------------------------

def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename: a full disk leaves the old file (or none), never a torn one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def load_history(runs: Path, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The last ``limit`` run reports of ``runs/``, oldest first (unreadable ones are skipped)."""
    reports = []
    for path in sorted(runs.glob("*.json"))[-limit:]:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and isinstance(report.get("spiders"), dict):
            report["_name"] = path.stem
            reports.append(report)
    return reports


def write_report(runs: Path, name: str, report: Mapping[str, Any]) -> list[Path]:
    """Write ``<name>.json``, ``<name>.html`` and ``index.html`` in ``runs``; raises OSError (full disk...)."""
    runs.mkdir(parents=True, exist_ok=True)
    json_path, html_path, index = runs / f"{name}.json", runs / f"{name}.html", runs / "index.html"
    write_atomic(json_path, json.dumps(report, ensure_ascii=False, indent=2))
    history = load_history(runs)
    write_atomic(html_path, render_run(name, report, history))
    write_atomic(index, render_index(history))
    return [json_path, html_path, index]


# HTML ---------------------------------------------------------------------------------------

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
tr.failed td{background:#fde8e8}tr.ok td.status{color:#17692c}
.badge{font-weight:bold;padding:1px 6px;border-radius:3px}
.badge.failed{background:#c62828;color:#fff}.badge.ok{background:#2e7d32;color:#fff}
.problems{color:#b71c1c;text-align:left}.plots{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0}figcaption{font-size:12px;color:#555}svg{background:#fafafa;border:1px solid #ddd}
"""
COLORS = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def svg_plot(title: str, series: Mapping[str, Sequence[float]], labels: Sequence[str], percent: bool = False,
             width: int = 260, height: int = 90) -> str:
    """A small line (several series) or bar (one series) chart as inline SVG, with a legend and the last value."""
    values = [v for vs in series.values() for v in vs]
    top = max([*values, 1e-9]) if not percent else max([*values, 0.01])
    n = max((len(vs) for vs in series.values()), default=0)
    pad, plot_h = 4, height - 22
    step = (width - 2 * pad) / max(n, 1)

    def y(v: float) -> float:
        return pad + plot_h - (v / top) * (plot_h - pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(title)}"><title>{_e(title)}</title>']
    if len(series) == 1:
        (name, vs), = series.items()
        for i, v in enumerate(vs):
            x = pad + i * step
            parts.append(f'<rect class="bar" x="{x + 1:.1f}" y="{y(v):.1f}" width="{max(step - 2, 1):.1f}" '
                         f'height="{max(pad + plot_h - y(v), 0):.1f}" fill="{COLORS[0]}">'
                         f'<title>{_e(labels[i] if i < len(labels) else "")}: {_e(_fmt(v, percent))}</title></rect>')
    else:
        for k, (name, vs) in enumerate(series.items()):
            points = " ".join(f"{pad + i * step + step / 2:.1f},{y(v):.1f}" for i, v in enumerate(vs))
            color = COLORS[k % len(COLORS)]
            parts.append(f'<polyline class="line" points="{points}" fill="none" stroke="{color}" stroke-width="2">'
                         f'<title>{_e(name)}</title></polyline>')
    legend = ", ".join(f"{name} {_fmt(vs[-1], percent)}" for name, vs in series.items() if vs)
    parts.append(f'<text x="{pad}" y="{height - 6}" font-size="10" fill="#333">{_e(legend or "no data")}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{_e(title)}</figcaption></figure>"


def _fmt(v: float, percent: bool) -> str:
    return f"{v:.0%}" if percent else f"{v:g}"


def site_plots(site: str, history: Sequence[Mapping[str, Any]]) -> str:
    """The plots of one site over the runs that include it."""
    runs = [(r.get("_name", ""), r["spiders"][site]) for r in history if site in r.get("spiders", {})]
    labels = [name for name, _ in runs]
    stored = {"stored": [float(s.get("articles_stored", 0)) for _, s in runs]}
    fields = sorted({f for _, s in runs for f in s.get("fallback_rates", {})})
    fallback = {f: [float(s.get("fallback_rates", {}).get(f, 0.0)) for _, s in runs] for f in fields} or {
        "none": [0.0 for _ in runs]}
    duplicates = {"duplicates": [float(sum(s.get("duplicates", {}).values())) for _, s in runs]}
    cleaning = {"removals": [float(s.get("cleaning_removals", 0)) for _, s in runs]}
    failures = {"failures": [float(s.get("failures", 0) + s.get("errors", 0)) for _, s in runs]}
    return (f'<div class="plots" data-site="{_e(site)}">'
            + svg_plot("articles stored per run", stored, labels)
            + svg_plot("fallback rate per field", fallback, labels, percent=True)
            + svg_plot("duplicates dropped", duplicates, labels)
            + svg_plot("cleaning removals", cleaning, labels)
            + svg_plot("failed requests and errors", failures, labels) + "</div>")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


def _badge(status: str) -> str:
    return f'<span class="badge {_e(status)}">{"FAILED" if status == "failed" else "OK"}</span>'


def render_run(name: str, report: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> str:
    spiders: Mapping[str, Mapping[str, Any]] = report.get("spiders", {})
    rows = []
    for site, s in spiders.items():
        d = s.get("duplicates", {})
        worst = max(s.get("fallback_rates", {}).values(), default=0.0)
        problems = "<br>".join(_e(p) for p in s.get("problems", []))
        rows.append(
            f'<tr class="{_e(s["status"])}" data-site="{_e(site)}"><td>{_e(site)}</td>'
            f'<td class="status">{_badge(s["status"])}</td><td>{s.get("pages_fetched", 0)}</td>'
            f'<td>{s.get("articles_stored", 0)}</td><td>{s.get("skipped_stored", 0)}</td>'
            f'<td>{d.get("url", 0)}/{d.get("exact", 0)}/{d.get("near_duplicate", 0)}</td>'
            f'<td>{sum(s.get("drops", {}).values())}</td><td>{s.get("failures", 0)}</td><td>{s.get("errors", 0)}</td>'
            f'<td>{worst:.0%}</td><td>{s.get("duration_s", 0):.0f}</td><td class="problems">{problems}</td></tr>')
    head = ("site", "status", "pages", "stored", "skipped (stored before)", "dup url/exact/near", "drops",
            "failed requests", "errors", "max fallback", "secs", "problems")
    table = ("<table id=\"sites\"><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"
             + "".join(rows) + "</tbody></table>")
    status = "ok" if report.get("ok") else "failed"
    sections = "".join(f"<h2>{_e(site)} {_badge(s['status'])}</h2>{site_plots(site, history)}"
                       for site, s in spiders.items())
    body = (f"<h1>Crawl run {_e(name)} {_badge(status)}</h1>"
            f"<p>Started {_e(report.get('started_at'))}, finished {_e(report.get('finished_at'))}. "
            f'<a href="index.html">All runs</a> · <a href="{_e(name)}.json">JSON</a></p>{table}'
            f"<p>Plots: the last {len(history)} run(s), oldest on the left.</p>{sections}")
    return _page(f"Crawl run {name}", body)


def render_index(history: Sequence[Mapping[str, Any]]) -> str:
    sites = sorted({site for r in history for site in r.get("spiders", {})})
    rows = []
    for r in reversed(history):
        name = r.get("_name", "")
        cells = []
        for site in sites:
            s = r["spiders"].get(site)
            cells.append("<td></td>" if s is None else
                         f'<td class="{_e(s["status"])}">{_badge(s["status"])} {s.get("articles_stored", 0)}</td>')
        status = "ok" if r.get("ok") else "failed"
        rows.append(f'<tr class="{status}"><td><a href="{_e(name)}.html">{_e(name)}</a></td>'
                    f'<td>{_badge(status)}</td>{"".join(cells)}</tr>')
    head = "".join(f"<th>{_e(s)} (stored)</th>" for s in sites)
    table = (f'<table id="runs"><thead><tr><th>run</th><th>status</th>{head}</tr></thead><tbody>'
             + "".join(rows) + "</tbody></table>")
    sections = "".join(f"<h2>{_e(site)}</h2>{site_plots(site, history)}" for site in sites)
    return _page("Crawl runs", f"<h1>Crawl runs</h1><p>{len(history)} most recent run(s), newest first.</p>"
                 f"{table}{sections}")
