"""ff2 sandbox bootstrap: bound over sitecustomize inside the sandbox only (never on the host).

- Arms faulthandler so that a script still running shortly before the wall-clock kill prints
  where it was stuck (a "Timeout (h:mm:ss)!" dump on stderr).
- The script runs as pid 1 of its pid namespace, where the kernel ignores SIGXCPU's default
  action; a handler turns the CPU-time limit into an exception with a traceback instead.
  (The hard limit, one second later, is a SIGKILL all the same.)
- A watchdog timer ends pid 1 (and so the whole sandbox) a little after the wall limit even if
  the host process that should kill it has died.
The variables are removed before the script starts, so its environment stays as the sandbox
defines it.
"""

import os

# _signal, not signal: the signal wrapper imports enum, which costs ~3 ms on every run.
import _signal as signal


class CpuTimeLimitExceeded(BaseException):
    """Not an Exception (nor an OSError): `except Exception` in the script does not swallow it."""


def _cpu_limit(signum, frame):
    raise CpuTimeLimitExceeded("CPU time limit exceeded")


def _watchdog_expired(signum, frame, _exit=os._exit):
    _exit(137)


signal.signal(signal.SIGXCPU, _cpu_limit)

_watchdog = os.environ.pop("FF2_WATCHDOG_S", "")
if _watchdog:
    signal.signal(signal.SIGALRM, _watchdog_expired)
    signal.setitimer(signal.ITIMER_REAL, float(_watchdog))

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
del _after, _watchdog
