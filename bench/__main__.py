"""``python -m bench [--quick] [--keep-database]``: see bench/__init__.py.

Exit status: 0 when every judged row passes (always, with --quick, once the harness ran),
1 when a row fails its goal, 2 when the harness itself broke."""

from __future__ import annotations

import argparse
import sys
import traceback

from bench.run import STEPS, run
from bench.servers import HarnessError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data, goals not judged")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument(
        "--only", action="append", choices=STEPS, help="measure only this (repeatable)"
    )
    args = parser.parse_args()
    try:
        rows = run(args.quick, args.keep_database, set(args.only or ()))
    except HarnessError as error:
        print(f"bench: the harness failed: {error}", file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print("bench: the harness failed", file=sys.stderr)
        return 2
    failed = [row.measure for row in rows if row.passed is False]
    if failed:
        print(f"bench: {len(failed)} of {len(rows)} rows miss their goal", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
