"""The knowledge chain drawn on the server as SVG, as the programme and report charts are:
no script, no chart library, readable as an image with its title and a table beside it.

Named (for the cluster's coordinators): one column per generation, one box per person, a
line from each mentor to each person they mentored. Aggregated (for agencies): one box per
generation with its counts, arrows between them.
"""

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.chain import Generation, Link

COLUMN, BOX_W, BOX_H, ROW, PAD = 210, 170, 30, 40, 16
SHOWN = 30  # people drawn per generation; the table counts them all
COLORS = ("#0b6e4f", "#3b6ea5", "#c97b1a", "#8a3b5c", "#5b5b5b")


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(width: int, height: int, title: str, title_id: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
    ]


def _heading(x: float, number: int) -> str:
    label = escape(_("Generation %(number)d") % {"number": number})
    return (
        f'<text x="{x:.0f}" y="{PAD + 12}" text-anchor="middle" font-size="14" '
        f'font-weight="bold" fill="#212529">{label}</text>'
    )


def named(rows: list[Generation], links: list[Link], names: dict[int, str], *, title: str) -> str:
    """One box per person (SHOWN per generation at most), lines from mentor to follower."""
    title_id = "chain-title"
    tallest = max((min(len(row.people), SHOWN) for row in rows), default=0)
    more = any(len(row.people) > SHOWN for row in rows)
    width = max(len(rows), 1) * COLUMN + PAD
    height = PAD * 3 + 24 + max(tallest, 1) * ROW + (ROW if more else 0)
    parts = _open(width, height, title, title_id)
    if not rows:
        empty = escape(_("Nobody has been mentored here yet."))
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="14">'
            f"{empty}</text></svg>"
        )
        return "".join(parts)
    where: dict[int, tuple[float, float]] = {}
    for column, row in enumerate(rows):
        x = PAD + column * COLUMN
        for index, person in enumerate(row.people[:SHOWN]):
            where[person] = (x, PAD * 2 + 24 + index * ROW)
    drawn = set()
    for link in links:
        if link.mentor not in where or link.follower not in where:
            continue
        if (link.mentor, link.follower) in drawn:
            continue
        drawn.add((link.mentor, link.follower))
        (x1, y1), (x2, y2) = where[link.mentor], where[link.follower]
        parts.append(
            f'<line x1="{x1 + BOX_W:.0f}" y1="{y1 + BOX_H / 2:.0f}" x2="{x2:.0f}" '
            f'y2="{y2 + BOX_H / 2:.0f}" stroke="#6c757d" stroke-width="1.5"/>'
        )
    for column, row in enumerate(rows):
        x = PAD + column * COLUMN
        parts.append(_heading(x + BOX_W / 2, row.number))
        color = COLORS[column % len(COLORS)]
        mentoring = set(row.mentoring)
        for person in row.people[:SHOWN]:
            px, py = where[person]
            name = escape(_short(names.get(person, "") or "?"))
            weight = "bold" if person in mentoring else "normal"
            parts.append(
                f'<rect x="{px:.0f}" y="{py:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                f'fill="#fff" stroke="{color}" stroke-width="2"/>'
                f'<text x="{px + 8:.0f}" y="{py + 20:.0f}" font-size="13" '
                f'font-weight="{weight}" fill="#212529">{name}</text>'
            )
        hidden = len(row.people) - SHOWN
        if hidden > 0:
            note = escape(
                ngettext("and %(count)d more", "and %(count)d more", hidden) % {"count": hidden}
            )
            parts.append(
                f'<text x="{x + 8}" y="{PAD * 2 + 24 + SHOWN * ROW + 18}" font-size="12" '
                f'fill="#495057">{note}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def aggregated(rows: list[dict], *, title: str) -> str:
    """One box per generation: its people, and its mentors; arrows from each to the next.
    `rows`: {"number", "people", "mentoring"} as the agency may see them."""
    title_id = "chain-title"
    width = max(len(rows), 1) * COLUMN + PAD
    height = PAD * 2 + 24 + 90
    parts = _open(width, height, title, title_id)
    if not rows:
        empty = escape(_("Nobody has been mentored here yet."))
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="14">'
            f"{empty}</text></svg>"
        )
        return "".join(parts)
    top = PAD + 24
    for column, row in enumerate(rows):
        x = PAD + column * COLUMN
        color = COLORS[column % len(COLORS)]
        parts.append(_heading(x + BOX_W / 2, row["number"]))
        people = (
            escape(
                ngettext("%(count)d person", "%(count)d people", row["people"])
                % {"count": row["people"]}
            )
            if row["people"]
            else ""
        )
        mentoring = (
            escape(
                ngettext("%(count)d of them mentors", "%(count)d of them mentor", row["mentoring"])
                % {"count": row["mentoring"]}
            )
            if row["mentoring"]
            else ""
        )
        parts.append(
            f'<rect x="{x}" y="{top}" width="{BOX_W}" height="70" rx="8" fill="#fff" '
            f'stroke="{color}" stroke-width="2"/>'
            f'<text x="{x + BOX_W / 2:.0f}" y="{top + 30}" text-anchor="middle" '
            f'font-size="15" fill="#212529">{people}</text>'
        )
        if mentoring:
            parts.append(
                f'<text x="{x + BOX_W / 2:.0f}" y="{top + 52}" text-anchor="middle" '
                f'font-size="13" fill="#495057">{mentoring}</text>'
            )
        if column:
            x0 = x - COLUMN + BOX_W
            parts.append(
                f'<line x1="{x0 + 4}" y1="{top + 35}" x2="{x - 8}" y2="{top + 35}" '
                'stroke="#6c757d" stroke-width="2"/>'
                f'<polygon points="{x - 4},{top + 35} {x - 12},{top + 30} {x - 12},{top + 40}" '
                'fill="#6c757d"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
