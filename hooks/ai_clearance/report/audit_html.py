"""The audit page: one self-contained HTML file, each chart an inline SVG drawn by matplotlib
(no script, no network, system fonts), with its table under it.

matplotlib is the optional `audit` extra, imported only here: the hooks never load it."""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ai_clearance.detect.normalize import printable
from ai_clearance.errors import UsageError
from ai_clearance.report.audit import AuditData, Table, Window
from ai_clearance.report.words import counted

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABEL_CHARS = 40  # a longer name is cut in a chart (the table has it whole)
TOP = 15  # bars in the per-author and per-folder charts
MAX_ROWS = 500  # rows of a table on the page (the JSON and CSV have them all)
TIMELINE = 40  # windows in the timeline chart: those that end last (the table has them all)
_RC = {
    "svg.fonttype": "none",  # text stays text: the page's system fonts draw it
    "svg.hashsalt": "ai-clearance",  # the same data draws the same page
    "text.parse_math": False,  # `$` in a name is a dollar sign, never TeX
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_CLEARED, _UNCLEARED, _SOON = "#2e7d32", "#c62828", "#ef6c00"


def _matplotlib() -> Any:
    """matplotlib, or a usage error naming the extra to install."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError("the audit page needs matplotlib: pip install "
                         "'ai-clearance[audit]' (or write only --json / --csv)") from None
    return matplotlib


def label(text: object) -> str:
    """A string from git as a chart shows it: printable, and cut to LABEL_CHARS."""
    shown = printable(str(text))
    return shown if len(shown) <= LABEL_CHARS else shown[:LABEL_CHARS - 1] + "…"


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or doctype


def _gid(artists: Sequence[Any], series: int) -> None:
    for index, artist in enumerate(artists):
        artist.set_gid(f"series-{series}-{index}")


def _empty(axes: Axes) -> int:
    axes.text(0.5, 0.5, "nothing to chart", ha="center", va="center",
              transform=axes.transAxes, color="#666")
    axes.set_axis_off()
    return 0


def _month_ticks(axes: Axes, months: Sequence[str]) -> None:
    step = max(1, len(months) // 12)
    axes.set_xticks(range(0, len(months), step))
    axes.set_xticklabels([months[i] for i in range(0, len(months), step)], rotation=45,
                         ha="right")


def _stacked(axes: Axes, table: Table, colours: Sequence[str] | None = None) -> int:
    """Bars per month, one stacked series per charted column."""
    if not table.rows or not table.series:
        return _empty(axes)
    months = [str(r[0]) for r in table.rows]
    bottom = [0.0] * len(months)
    for index, name in enumerate(table.series):
        column = table.columns.index(name)
        values = [float(r[column]) for r in table.rows]
        colour = colours[index] if colours else None
        bars = axes.bar(range(len(months)), values, bottom=bottom, label=label(name),
                        color=colour)
        _gid(bars.patches, index)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _month_ticks(axes, months)
    axes.legend(loc="upper left", frameon=False, fontsize=8)
    return len(table.series)


def _share(axes: Axes, table: Table) -> int:
    if not table.rows:
        return _empty(axes)
    months = [str(r[0]) for r in table.rows]
    (line,) = axes.plot(range(len(months)), [float(r[3]) for r in table.rows], marker="o",
                        color="#1565c0", label="share %")
    line.set_gid("series-0-0")
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of commits")
    _month_ticks(axes, months)
    return 1


def _horizontal(axes: Axes, table: Table) -> int:
    """Horizontal bars, one group per row (the TOP first), one bar per charted column."""
    rows = table.rows[:TOP]
    if not rows:
        return _empty(axes)
    height = 0.8 / len(table.series)
    for index, name in enumerate(table.series):
        column = table.columns.index(name)
        places = [i + index * height for i in range(len(rows))]
        bars = axes.barh(places, [float(r[column]) for r in rows], height=height,
                         label=label(name))
        _gid(bars.patches, index)
    axes.set_yticks([i + 0.4 - height / 2 for i in range(len(rows))])
    axes.set_yticklabels([label(r[0]) for r in rows])
    axes.invert_yaxis()
    if len(table.series) > 1:
        axes.legend(loc="lower right", frameon=False, fontsize=8)
    return len(table.series)


_EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _x(dates: Any, moment: datetime) -> float:
    """A time as matplotlib's dates place it on an axis; one before 1970 or after 2199 at
    that edge (the table shows it as it is)."""
    return float(dates.date2num(min(max(moment, _EARLIEST), _LATEST)))


def charted_windows(found: Sequence[Window]) -> list[Window]:
    """The TIMELINE windows that end last (open-ended ones first), oldest start first."""
    latest = sorted(found, key=lambda w: (w.end is None, w.end or w.start), reverse=True)
    return sorted(latest[:TIMELINE], key=lambda w: (w.start, w.id))


def _timeline(axes: Axes, found: Sequence[Window], now: datetime) -> int:
    """A bar per window (open-ended ones hatched, to the chart's end), an x where it was
    revoked, and the next 30 days shaded; windows ending in them drawn in orange."""
    found = charted_windows(found)
    if not found:
        return _empty(axes)
    from matplotlib import dates

    soon = now + timedelta(days=30)
    last = max([soon, *(w.end for w in found if w.end), *(w.start for w in found)])
    right = min(last, _LATEST) + timedelta(days=15)
    for index, w in enumerate(found):
        end = w.end or right
        colour = _SOON if w.expires_soon else "#546e7a" if w.revoked_at else "#1565c0"
        start_x = _x(dates, w.start)
        bars = axes.barh([index], [_x(dates, end) - start_x], left=[start_x],
                         height=0.7, color=colour, hatch="//" if w.end is None else None,
                         edgecolor="white" if w.end is None else colour)
        bars.patches[0].set_gid(f"series-0-{index}")
        if w.revoked_at is not None:
            (mark,) = axes.plot([_x(dates, w.revoked_at)], [index], marker="x",
                                color=_UNCLEARED, markersize=9, markeredgewidth=2)
            mark.set_gid(f"revoked-{index}")
    axes.axvspan(_x(dates, now), _x(dates, soon), color=_SOON,
                 alpha=0.15).set_gid("next-30-days")
    axes.axvline(_x(dates, now), color="#333", linewidth=1)
    from matplotlib.patches import Patch

    axes.legend(handles=[Patch(color="#1565c0", label="valid"),
                         Patch(color=_SOON, label="ends within 30 days"),
                         Patch(color="#546e7a", label="revoked (x: when)"),
                         Patch(color=_SOON, alpha=0.15, label="the next 30 days")],
                loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=4, frameon=False,
                fontsize=8)
    axes.set_yticks(range(len(found)))
    axes.set_yticklabels([label(f"{w.who}: {w.assistants}" if w.kind == "approval"
                                else f"token {w.who}") for w in found])
    axes.invert_yaxis()
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    axes.tick_params(axis="x", labelrotation=45)
    return 1


def chart(data: AuditData, table: Table) -> tuple[str, int]:
    """One table's chart as inline SVG, and how many series it drew."""
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        tall = table.name in ("authors", "folders", "approvals")
        rows = min(len(data.windows), TIMELINE) if table.name == "approvals" else \
            min(len(table.rows), TOP)
        height = max(2.6, 0.32 * rows + 1.2) if tall else 3.2
        figure = Figure(figsize=(8.5, height), layout="constrained")
        axes = figure.add_subplot()
        drawers: dict[str, Callable[[], int]] = {
            "assistants": lambda: _stacked(axes, table),
            "share": lambda: _share(axes, table),
            "authors": lambda: _horizontal(axes, table),
            "folders": lambda: _horizontal(axes, table),
            "approvals": lambda: _timeline(axes, data.windows, data.now),
            "clearance": lambda: _stacked(axes, table, [_CLEARED, _UNCLEARED]),
        }
        drawn = drawers[table.name]()
        if table.name != "approvals":
            from matplotlib.ticker import MaxNLocator

            # Counts are whole: no tick at 0.5 commits.
            count_axis = axes.xaxis if table.name in ("authors", "folders") else axes.yaxis
            count_axis.set_major_locator(MaxNLocator(integer=True))
        return _svg(figure), drawn


def _cell(value: object) -> str:
    return html.escape(printable(str(value)), quote=True)


def _table_html(table: Table) -> Iterator[str]:
    yield "<table><thead><tr>"
    yield "".join(f"<th>{_cell(c)}</th>" for c in table.columns)
    yield "</tr></thead><tbody>"
    for row in table.rows[:MAX_ROWS]:
        yield "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
    yield "</tbody></table>"
    if len(table.rows) > MAX_ROWS:
        left_out = counted(len(table.rows) - MAX_ROWS, "more row")
        yield f"<p class=note>{left_out} in the JSON and CSV files.</p>"


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;color:#1a1a1a;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2.5rem}
.summary{display:flex;flex-wrap:wrap;gap:.75rem;padding:0;list-style:none}
.summary li{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem}
.summary b{display:block;font-size:1.3rem}
figure{margin:0}figure svg{max-width:100%;height:auto}
figure svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif!important}
table{border-collapse:collapse;font-size:.85rem;margin-top:.5rem;display:block;
overflow-x:auto;max-height:24rem}
th,td{border-bottom:1px solid #e5e5e5;padding:.25rem .6rem;text-align:left;
white-space:nowrap}th{background:#f5f5f5;position:sticky;top:0}
.note,.meta{color:#555;font-size:.85rem}
"""


def page(data: AuditData, title: str, meta: str) -> str:
    """The whole audit page: a summary, then each chart with its table."""
    parts = ["<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>",
             "<meta name=viewport content='width=device-width,initial-scale=1'>",
             f"<title>{_cell(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{_cell(title)}</h1><p class=meta>{_cell(meta)}</p><ul class=summary>"]
    parts += [f"<li><b>{_cell(v)}</b>{_cell(k.replace('_', ' '))}</li>"
              for k, v in data.summary.items()]
    parts.append("</ul>")
    for table in data.tables:
        svg, drawn = chart(data, table)
        parts.append(f"<section id={table.name}><h2>{_cell(table.title)}</h2>")
        parts.append(f"<figure class=chart data-chart={table.name} data-series={drawn}>"
                     f"{svg}</figure>")
        parts.extend(_table_html(table))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)
