"""The exit codes of every command, in one place (docs/cli.md lists them).

click itself exits 2 on a usage error (unknown option, missing argument); the others are ours.
``run wait`` adds :data:`TIMED_OUT` so a CI job can tell "the run failed" from "still running".
"""

OK = 0
#: the command failed (server error, unreachable server, bad settings) or, for ``run wait``, the run failed
FAILED = 1
#: click's usage errors
USAGE = 2
#: ``run wait`` gave up at ``--timeout`` while the run was still going
TIMED_OUT = 3
