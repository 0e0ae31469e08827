"""Logging filters that keep patient data out of the logs."""

import logging
import re

_QUERY = re.compile(r"\?[^ \"]*")


class StripQueryStrings(logging.Filter):
    """Drop query strings from logged request lines: a patient search puts a name in `?q=`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True
