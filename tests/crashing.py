"""`python tests/crashing.py STATE:N ARGS...`: the titlecert CLI, killed (SIGKILL, as a power cut
would) once N units of its run reached STATE (`sealed` or `registered`), so that tests can resume
a job from a chosen point. The product carries no hook for this: the run's progress is watched here."""

import os
import signal
import sys

from titlecert.cli import main
from titlecert.jobs import runner


def crash_after(state: str, count: int) -> None:
    move, reached = runner._Run.move, {"n": 0}

    def watched(run: runner._Run, unit_id: int, new_state: str) -> None:
        move(run, unit_id, new_state)
        if new_state == state:
            reached["n"] += 1
            if reached["n"] == count:
                os.kill(os.getpid(), signal.SIGKILL)

    runner._Run.move = watched  # type: ignore[method-assign]


if __name__ == "__main__":
    point, *args = sys.argv[1:]
    state, _, count = point.partition(":")
    if state not in ("sealed", "registered") or not count.isdigit():
        sys.exit(f"crash point must be sealed:N or registered:N, not {point!r}")
    crash_after(state, int(count))
    main(args)
