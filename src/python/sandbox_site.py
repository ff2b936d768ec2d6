"""ff2 sandbox bootstrap: bound over sitecustomize inside the sandbox only (never on the host).

- Arms faulthandler so that a script still running shortly before the wall-clock kill prints
  where it was stuck (a "Timeout (h:mm:ss)!" dump on stderr). The variable is removed before
  the script starts, so the script's environment stays as the sandbox defines it.
- The script runs as pid 1 of its pid namespace, where the kernel ignores SIGXCPU's default
  action; a handler turns the CPU-time limit into an exception with a traceback instead.
"""

import os
import signal


def _cpu_limit(signum, frame):
    raise TimeoutError("CPU time limit exceeded")


signal.signal(signal.SIGXCPU, _cpu_limit)

_after = os.environ.pop("FF2_DUMP_AFTER_S", "")
if _after:
    import faulthandler

    faulthandler.dump_traceback_later(float(_after), exit=False)
del _after, os, signal
