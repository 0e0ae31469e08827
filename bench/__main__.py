"""`make bench`: run every benchmark and print one JSON document (also written to bench-results.json,
or to the file BENCH_RESULTS names). `python -m bench booking pages` runs only those.

Each bench/bench_*.py module has a `run() -> dict`. Benchmarks that need the database run against
a throwaway test database (SQLite by default, PostgreSQL with DATABASE_URL), never the demo data.
Speed targets live here, not in timed tests.
"""

import importlib
import json
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings_test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the seeding's INFO lines would bury the results
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    only = set(sys.argv[1:])
    results = {
        "python": platform.python_version(),
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "benchmarks": {},
    }
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        name = info.name.removeprefix("bench_")
        if only and name not in only:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        # A fresh database for each: one benchmark's rows (36k bookings, 1,500 patients, due
        # reminders) must not weigh on another's figures.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        began = time.perf_counter()
        try:
            outcome = module.run()
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            outcome = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        outcome["wall_seconds"] = round(time.perf_counter() - began, 2)
        results["benchmarks"][name] = outcome
        print(f"bench {name}: done", file=sys.stderr)
    text = json.dumps(results, indent=2, default=str)
    Path(os.environ.get("BENCH_RESULTS", "bench-results.json")).write_text(text + "\n")
    print(text)
    return 1 if any("error" in r for r in results["benchmarks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
