"""``python -m salesfunnel``: the funnel report of the bundled BPI 2012 data.

With arguments, runs the command-line tool when it is installed
(``python -m salesfunnel report events.csv ...``).
"""

from __future__ import annotations

import os
import sys
from typing import Callable


def quiet_when_pipe_closes(run: Callable[[], int]) -> int:
    """``run()``, but a reader that stops early (``salesfunnel demo | head``)
    ends it quietly with status 0 instead of a BrokenPipeError traceback.

    >>> sys.exit(quiet_when_pipe_closes(demo))
    """
    try:
        code = run()
        sys.stdout.flush()  # buffered output meets the closed pipe here, not at exit
        return code
    except BrokenPipeError:
        # Python's recipe: point stdout at devnull so the flush at interpreter exit
        # does not fail again on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def demo() -> int:
    """Print the funnel report of the bundled BPI 2012 data (``salesfunnel demo``).

    >>> demo()                      # prints the tables, returns 0
    """
    import pandas as pd

    import salesfunnel as sf

    log = sf.datasets.bpi2012()
    rep = sf.funnel(log)
    t = rep.totals
    print(f"salesfunnel {sf.__version__} — BPI Challenge 2012 loan applications "
          f"(bundled, CC BY 4.0)")
    print(f"{log.num_events:,} events, {t['deals']:,} applications: {t['won']:,} approved, "
          f"{t['lost']:,} declined or cancelled, {t['open']:,} still open (censored)\n")
    df = rep.to_pandas()
    main = df[df["main_rank"] >= 0]
    table = pd.DataFrame({
        "reached": main["reached_or_beyond"],
        "advanced": main["advanced"],
        "dropped": main["dropped"],
        "open": main["in_progress"],
        "step conv.": main["step_conversion"].map(lambda v: "" if v != v else f"{v:.1%}"),
        "95% interval": [("" if lo != lo else f"{lo:.1%}–{hi:.1%}")
                         for lo, hi in zip(main["step_low"], main["step_high"])],
        "cumulative": main["cumulative_conversion"].map(lambda v: f"{v:.1%}"),
        "median days": main["median_days"].map(lambda v: "" if v != v else f"{v:.2f}"),
    })
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string())
    print("\nWhere applications fall out (furthest stage → exit):")
    print(rep.drop_offs().to_string(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m salesfunnel [command ...]``: the demo, or the command-line tool.

    >>> main(["plan", "events.csv", "--deal", "id", "--stage", "stage", "--time", "at",
    ...       "--template", "sales_cycle", "--wins", "3"])
    """
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        try:
            from .cli import main as cli_main
        except ImportError:
            print("usage: python -m salesfunnel   (prints the bundled BPI 2012 funnel report)",
                  file=sys.stderr)
            return 2
        return cli_main(argv)
    return quiet_when_pipe_closes(demo)


if __name__ == "__main__":
    sys.exit(main())
