"""ff2 sandbox bootstrap: bound over sitecustomize inside the sandbox only (never on the host).

- Arms faulthandler so that a script still running shortly before the wall-clock kill prints
  where it was stuck (a "Timeout (h:mm:ss)!" dump on stderr).
- A handler turns the CPU-time limit (SIGXCPU) into an exception with a traceback instead of a
  silent death. (The hard limit, one second later, is a SIGKILL all the same.)
- Headless plotting (CLI runs, FF2_PLT_SHOW=save): once the script imports matplotlib.pyplot,
  plt.show() saves every open figure as figure-N.png in the work dir (so it comes back as an output
  image) and closes them, instead of warning that Agg cannot show anything.
- matplotlib's font cache, prepared on the host (FF2_MPL_CACHE, read-only), is linked into its
  writable MPLCONFIGDIR so the first import does not rebuild it.
The wall-clock limit is not enforced here (a script could undo anything done in-process): the
root helper outside the sandbox kills every process of the run. The FF2_* variables are removed
before the script starts, so its environment stays as the sandbox defines it.
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


_mpl_cache = os.environ.pop("FF2_MPL_CACHE", "")
_mpl_dir = os.environ.get("MPLCONFIGDIR", "")
if _mpl_cache and _mpl_dir:
    try:
        os.makedirs(_mpl_dir, exist_ok=True)
        for _name in os.listdir(_mpl_cache):
            os.symlink(os.path.join(_mpl_cache, _name), os.path.join(_mpl_dir, _name))
    except OSError:
        pass


def _free_name(stem):
    """figure-1.png, then figure-1-2.png, … (never overwrites what the script wrote)."""
    name = stem + ".png"
    suffix = 2
    while os.path.exists(name):
        name = "%s-%d.png" % (stem, suffix)
        suffix += 1
    return name


def _save_figures(pyplot):
    """plt.show() and Figure.show() for a run without a screen: save the figures instead."""

    def show(*args, **kwargs):
        for number in pyplot.get_fignums():
            pyplot.figure(number).savefig(_free_name("figure-%d" % number))
        pyplot.close("all")

    def figure_show(self, *args, **kwargs):
        self.savefig(_free_name("figure-%s" % getattr(self, "number", "x")))

    show.__doc__ = pyplot.show.__doc__
    pyplot.show = show
    pyplot.Figure.show = figure_show


class _PyplotHook:
    """Finds matplotlib.pyplot with the normal finders and patches show() once it has loaded."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "matplotlib.pyplot":
            return None
        import sys
        from importlib.machinery import PathFinder

        sys.meta_path.remove(cls)
        spec = PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is not None and hasattr(loader, "exec_module"):
            run = loader.exec_module

            def exec_module(module, _run=run):
                _run(module)
                _save_figures(module)

            loader.exec_module = exec_module
        return spec


if os.environ.pop("FF2_PLT_SHOW", "") == "save":
    import sys as _sys

    _sys.meta_path.insert(0, _PyplotHook)
    del _sys

del _after, _mpl_cache, _mpl_dir
