"""Helpers of the browser tests."""

# What makes the page scroll sideways: elements past the viewport's right edge that no scrolling container
# holds (an absolutely positioned child escapes a container that is not positioned itself).
_STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const held = e => e.closest('.table-responsive, [data-testid=grid-scroll]') !== null
    && getComputedStyle(e).position !== 'absolute';
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !held(e))
    .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${(e.textContent || '').trim().slice(0, 40)}`)
    .concat([`page ${document.documentElement.scrollWidth}px wide`]);
}"""


def sticking_out(page) -> list[str]:
    """Empty when the page does not scroll sideways; else what sticks out, and the page's width.

    Measured once the page has loaded: a page still loading its stylesheets has no `.table-responsive`
    box yet, and its wide tables stick out for a moment."""
    page.wait_for_load_state("load")
    return page.evaluate(_STICKING_OUT)
