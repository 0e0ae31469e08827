"""The navigation's worklist counts, kept for a few seconds.

Every page of the front desk and the coordinators shows how many patients wait in each worklist. Counting
them costs about as much as a whole bare page (on SQLite about 5 ms at clinic volume: the bookable
patients are every patient's newest screening), so they are kept in Django's cache, by the shape of the
lists (which roles) and the location, for NAV_COUNTS_SECONDS.

Fresh when it matters: any request through the site that may change data (POST, PUT, PATCH, DELETE, by
anyone, `RefreshNavCountsMiddleware`) drops every kept count, after its transaction has committed; and
the worklists page itself always counts afresh. What changes without a request (the clock passing
midnight or a visit's start, a management command, a Celery task) shows within NAV_COUNTS_SECONDS. With
REDIS_URL the cache is Redis, shared by every web process; without it, each process keeps its own.

0 seconds turns the keeping off (the test settings do, so tests see counts as they are).
"""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

VERSION_KEY = "nav-counts:version"
VERSION_SECONDS = 24 * 3600  # long past any kept count; a test run leaves nothing behind for good


def kept(name: str, compute, *, fresh: bool = False):
    """`compute()`, or what it gave within NAV_COUNTS_SECONDS with no change through the site since; with
    `fresh`, always `compute()`, kept for the pages that follow."""
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
