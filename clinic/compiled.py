"""SQL built by the ORM once per process, run with each request's values.

Some reads run on every signed-in page (the user's roles and locations, the menu's counts, the queue's
badge); building and compiling their querysets cost more than running them. `compiled_query` compiles a
query once, with stand-in values, and finds where each stand-in's value goes among the parameters;
`bind` puts a request's values there. A stand-in must be unlike any constant of the query (a negative id,
an odd microsecond), or the compile refuses it as ambiguous.
"""

from datetime import date, datetime

from django.db import connection

# (alias, vendor, name) -> (sql, slots); a slot is (stand-in name, adapter) or ("", constant).
_COMPILED: dict = {}


def _identity(value):
    return value


def _adapters(value) -> tuple:
    """The ways the backend may have written a stand-in's value into the parameters."""
    ops = connection.ops
    if isinstance(value, datetime):
        return (_identity, ops.adapt_datetimefield_value)
    if isinstance(value, date):
        return (_identity, ops.adapt_datefield_value)
    return (_identity,)


def compiled_query(name: str, build, **stand_ins) -> tuple[str, tuple]:
    """`build(**stand_ins)`'s SQL, compiled once per process, and its parameter slots.

    `build` returns a queryset, or (sql, params) for SQL put together from querysets' own SQL.
    """
    key = (connection.alias, connection.vendor, name)
    compiled = _COMPILED.get(key)
    if compiled is None:
        built = build(**stand_ins)
        sql, params = built if isinstance(built, tuple) else built.query.sql_with_params()
        slots = []
        for param in params:
            found = {
                (stand_in, adapt)
                for stand_in, value in stand_ins.items()
                for adapt in _adapters(value)
                if type(adapt(value)) is type(param) and adapt(value) == param
            }
            if len({stand_in for stand_in, _ in found}) > 1:
                raise RuntimeError(f"{name}: an ambiguous parameter {param!r}")
            slots.append(min(found, key=lambda slot: slot[1] is not _identity) if found else ("", param))
        missing = set(stand_ins) - {stand_in for stand_in, _ in slots}
        if missing:
            raise RuntimeError(f"{name}: {sorted(missing)} not found among the parameters")
        compiled = _COMPILED[key] = (sql, tuple(slots))
    return compiled


def bind(slots, values: dict) -> list:
    """A request's parameters for compiled slots: each stand-in's slot gets `values[name]`, adapted as compiled."""
    return [adapt(values[name]) if name else adapt for name, adapt in slots]
