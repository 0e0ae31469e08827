"""The day grid's cells and visits (templates/infusions/floor/grid.html) and the week's load cells (grid_week.html),
put together in Python: hundreds of cells through the template engine were most of those pages' time.

Their markup is joined from pieces escaped once; every other value is an integer formatted with `:d`, which refuses
anything else, so nothing reaches the page unescaped (infusions/floor/tests/test_floor_grid.py).
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic.templatetags.rows import row_url, ymd
from infusions.models import InfusionSeries

register = template.Library()


@register.simple_tag(takes_context=True)
def grid_cells(context, grid, *, moving=None, elsewhere=False, may_book=False, book_url="") -> SafeString:
    """`{% grid_cells grid moving=moving elsewhere=moving_elsewhere may_book=may_book book_url=book_url %}`:
    each of `grid.cells` in order, a `floor-cell` placed by its classes. A bookable cell holds a form that moves
    `moving` there (with the CSRF token as `{% csrf_token %}` renders it) while a visit is being moved, else a
    link to book there (`book_url`) when the user may book; past and closed cells are empty."""
    if moving:
        # Django's own {% csrf_token %}: this request's token, escaped, in its hidden input.
        csrf = CsrfTokenNode().render(context)
        action = escape(reverse("infusions:visit_move", args=[moving.pk]))
        other = '<input type="hidden" name="other_location" value="1">' if elsewhere else ""
        form = f'<form method="post" action="{action}">{csrf}<input type="hidden" name="start" value="'
    else:
        book = escape(book_url)
    escaped: dict[str, str] = {}  # each chair's name and each time, escaped once

    def text(value: str) -> str:
        if value not in escaped:
            escaped[value] = escape(value)
        return escaped[value]

    parts = []
    for cell in grid.cells:
        content = ""
        if cell.bookable and (moving or may_book):
            chair = cell.chair
            name, label = text(chair.name), text(cell.label)
            if moving:
                content = (
                    f'{form}{cell.stamp:d}"><input type="hidden" name="chair" value="{chair.pk:d}">{other}'
                    f'<button type="submit" data-testid="move-here">Move to {name} {label}</button></form>'
                )
            else:
                content = (
                    f'<a href="{book}?chair={chair.pk:d}&amp;start={cell.stamp:d}" data-testid="book-here">'
                    f"Book {name} {label}</a>"
                )
        hour = " on-hour" if cell.on_hour else ""
        state = " is-closed" if cell.closed else "" if cell.bookable else " is-past"
        parts.append(
            f'<div class="floor-cell gcol-{cell.col:d} row-start-{cell.row:d}{hour}{state}" data-testid="grid-cell">'
            f"\n    {content}\n  </div>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or an integer


@register.simple_tag
def grid_blocks(grid, *, day, moving=None, may_move=False, movable=()) -> SafeString:
    """`{% grid_blocks grid day=day moving=moving may_move=may_move movable=movable %}`: each of `grid.blocks`
    in order, a `floor-block` placed by its classes: its state (word and colour), times, the patient's name
    linking to the series, "visit 3 of 6", and, for a user who may move visits (none being moved), a "Move"
    link on a visit in one of the `movable` states of an active series."""
    day_query = escape(ymd(day))
    moving_pk = moving.pk if moving else None
    parts = []
    for block in grid.blocks:
        visit = block.visit
        series, patient = visit.series, visit.patient
        last_name = escape(patient.last_name)
        classes = f"gcol-{block.col:d} row-start-{block.row:d} span-{block.span:d} state-{escape(block.state)}"
        if block.aside:
            classes += " is-aside"
        if block.shared:
            classes += " is-shared"
        if moving_pk is not None and moving_pk == visit.pk:
            classes += " is-moving"
        kind = "maintenance " if series.kind == InfusionSeries.Kind.MAINTENANCE else ""
        of = f" of {block.total:d}" if block.total else ""
        move = ""
        if may_move and not moving and block.state in movable and series.status == InfusionSeries.Status.ACTIVE:
            move = (
                f'<a class="small" href="?date={day_query}&amp;move={visit.pk:d}" data-testid="move">Move'
                f'<span class="visually-hidden"> {last_name}, visit {visit.sequence:d}</span></a>'
            )
        parts.append(
            f'\n  <div class="floor-block {classes}" data-testid="grid-visit" data-span="{block.span:d}"'
            f' data-visit="{visit.pk:d}">'
            f'\n    <div><span class="state" data-testid="state">{escape(block.word)}</span>'
            f" {escape(block.start_label)}–{escape(block.end_label)}</div>"
            f'\n    <div class="text-truncate"><a href="{escape(row_url("infusions:series", visit.series_id))}">'
            f"{last_name}, {escape(patient.first_name)}</a></div>"
            f'\n    <div class="small">{kind}visit {visit.sequence:d}{of}</div>'
            f"\n    {move}\n  </div>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or an integer


@register.simple_tag
def load_cells(cells, grid_url: str) -> SafeString:
    """`{% load_cells cells grid_url %}`: a chair's row of the week's load (floor.week_load), a cell per day: the
    visits and the booked share of the opening hours, coloured by the share and linking to that day's grid
    (`grid_url`), or "closed" (with the visits of a day that closed after they were booked)."""
    grid_url = escape(grid_url)
    parts = []
    for cell in cells:
        share, count = cell["share"], cell["count"]
        if share is None:
            level = ""
        elif share >= 80:
            level = " load-high"
        elif share >= 50:
            level = " load-mid"
        else:
            level = " load-low" if count else ""
        if cell["closed"]:
            content = '<span class="text-muted">closed</span>' + (f" · {count:d}" if count else "")
        else:
            content = f'<a href="{grid_url}?date={escape(ymd(cell["day"]))}">{count:d} · {share:d}%</a>'
        parts.append(f'<td class="load-cell{level}" data-testid="load">{content}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or an integer
