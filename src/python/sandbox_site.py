"""ff2 sandbox bootstrap: bound over sitecustomize inside the sandbox only (never on the host).

- Arms faulthandler so that a script still running shortly before the wall-clock kill prints
  where it was stuck (a "Timeout (h:mm:ss)!" dump on stderr).
- A handler turns the CPU-time limit (SIGXCPU) into an exception with a traceback instead of a
  silent death. (The hard limit, one second later, is a SIGKILL all the same.)
The wall-clock limit is not enforced here (a script could undo anything done in-process): the
root helper outside the sandbox kills every process of the run. The variables are removed before the script starts, so its environment stays as the sandbox
defines it.
"""

import os

# _signal, not signal: the signal wrapper imports enum, which costs ~3 ms on every run.
import _signal as signal


class CpuTimeLimitExceeded(BaseException):
    """Not an Exception (nor an OSError): `except Exception` in the script does not swallow it."""


def _cpu_limit(signum, frame):
    raise CpuTimeLimitExceeded("CPU time limit exceeded")


signal.signal(signal.SIGXCPU, _cpu_limit)

_after = os.environ.pop("FF2_DUMP_AFTER_S", "")
if _after:
    import faulthandler
    import time

    _deadline = time.monotonic() + float(_after)

    def _rearm(_faulthandler=faulthandler, _monotonic=time.monotonic, _deadline=_deadline):
        try:  # no thread left under the process limit: the run just loses its timeout dump
            _faulthandler.dump_traceback_later(max(0.01, _deadline - _monotonic()), exit=False)
        except Exception:
            pass

    # A child forked while the dump timer is armed hangs at exit (CPython's watchdog thread does
    # not survive fork): disarm around fork, re-arm in the parent only.
    os.register_at_fork(before=faulthandler.cancel_dump_traceback_later, after_in_parent=_rearm)
    _rearm()
del _after
