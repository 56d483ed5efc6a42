"""What the provider knows about a PaddleFlow run it follows.

The hook, the operators, the sensors and the triggers all follow runs; the rules they share live
here once, in small modules with one job each:

* ``status``: every run status and what it means (the status map);
* ``verdict``: the one decision "is this run still going, done, or failed" for a caller's targets;
* ``logs``: the cursor that reads only the new lines of a run's step logs;
* ``log_match``: the one routine deciding what newly read log lines mean for a log watcher;
* ``waiting``: the synchronous wait loop and the failure report of a failed run;
* ``backoff``: the one back-off after transient API errors while waiting;
* ``arguments``: the one run-id check and the one "still templated?" test (Airflow's ``XComArg``
  through ``_compat``);
* ``identity``: the identity of a task instance and the client token derived from it;
* ``task_state``: per-task-instance values that survive retries (Airflow's task state store or
  Variables, through ``_compat``);
* ``failures``: which client errors retrying cannot fix, and the one wrapper that fails a task at
  once on them (``AirflowFailException`` through ``_compat``).

Everything but ``arguments``, ``task_state`` and ``failures`` is plain Python, usable without Airflow.
"""
