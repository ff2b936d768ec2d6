"""ff2 sandbox bootstrap: bound over sitecustomize inside the sandbox only (never on the host).

Arms faulthandler so that a script still running shortly before the wall-clock kill prints
where it was stuck (a "Timeout (h:mm:ss)!" dump on stderr). The variable is removed before the
script starts, so the script's environment stays as the sandbox defines it.
"""

import os

_after = os.environ.pop("FF2_DUMP_AFTER_S", "")
if _after:
    import faulthandler

    faulthandler.dump_traceback_later(float(_after), exit=False)
del _after, os
