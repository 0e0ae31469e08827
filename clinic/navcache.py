"""The navigation's worklist counts, kept in Django's cache for NAV_COUNTS_SECONDS.

Every front-desk and coordinator page shows them, and counting costs about as much as a bare page (about 5 ms on
SQLite at clinic volume). Any change through the site retires every kept count (`changed`, called by
`RefreshNavCountsMiddleware` once the change has committed). See NAV_COUNTS_SECONDS in docs/configuration.md.
"""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

VERSION_KEY = "nav-counts:version"
VERSION_SECONDS = 24 * 3600  # long past any kept count; a test run leaves nothing behind for good


def kept(name: str, compute, *, fresh: bool = False):
    """`compute()`, or what it gave within NAV_COUNTS_SECONDS with no change through the site since; with
    `fresh`, always `compute()`, kept for the pages that follow. `name` tells the counts apart (the shape of the
    lists, which the roles decide, and the location). NAV_COUNTS_SECONDS 0 keeps nothing (the test settings)."""
    seconds = settings.NAV_COUNTS_SECONDS
    if not seconds:
        return compute()
    try:
        # Read before counting: counts made from data older than a change are kept under the version the
        # change has already retired, so nobody reads them.
        version = cache.get(VERSION_KEY, 0)
        key = f"nav-counts:{version}:{name}"
        value = None if fresh else cache.get(key)
    except Exception:  # noqa: BLE001 - the cache (Redis) down: count, as with nothing kept
        logger.warning("navigation counts: the cache could not be read; counting afresh", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("navigation counts: the cache could not be written", exc_info=True)
    return value


def changed() -> None:
    """Retire every kept count. A cache that cannot be reached does not fail the request that changed data
    (its change has committed): what it kept then lives at most NAV_COUNTS_SECONDS."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not there yet, expired or evicted: kept counts then live at most NAV_COUNTS_SECONDS
            cache.add(VERSION_KEY, 1, VERSION_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("navigation counts: the cache could not be reached to renew them", exc_info=True)
