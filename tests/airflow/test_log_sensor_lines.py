"""The log sensor matches and returns the line as the step printed it, in every sensor mode.

The server prefixes each log line with an RFC 3339 timestamp; a pattern anchored with ``^`` must see
the step's own text, and the returned line (XCom ``return_value``) is that text. The timestamp is
kept apart (XCom ``matched_timestamp``). Whole DAGs through ``dag.test()`` against the emulator.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

pytestmark = pytest.mark.slow  # whole DAGs through dag.test(), each a few seconds

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@pytest.mark.parametrize("mode", ["poke", "reschedule", "deferrable"])
def test_anchored_pattern_matches_the_printed_line_and_returns_it(mode, pf_conn, dagtest):
    dr = dagtest.run_dag(f"pf_anchored_log_{mode}")
    assert dagtest.ti_states(dr) == {"create": "success", "log": "success"}
    assert dagtest.xcom(dr, "log") == "READY acc=0.93"  # not the decoy, and no timestamp
    assert dagtest.xcom(dr, "log", "matched_step") == "train"
    stamp = dagtest.xcom(dr, "log", "matched_timestamp")
    assert RFC3339.fullmatch(stamp), stamp
    assert abs((datetime.fromisoformat(stamp[:19] + "+00:00") - dr.start_date).total_seconds()) < 600
