"""Plain fixed-width text tables for the terminal (CLI output, preview before approval)."""

from __future__ import annotations


def render_table(rows: list[dict], columns: list[tuple[str, str]], max_width: int = 60) -> str:
    """A plain fixed-width table: [(key, header)]."""
    def cell(value) -> str:
        text = "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        text = text.replace("\n", " ")
        return text if len(text) <= max_width else text[:max_width - 1] + "…"

    body = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, (_, h) in enumerate(columns)]
    lines = ["  ".join(h.ljust(w) for (_, h), w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in body]
    return "\n".join(line.rstrip() for line in lines)
