"""ff2 GUI driver, run inside the sandbox: `python3 -I gui_driver.py main.py [args...]`.

Starts a private Xvfb, runs the script against it, and as soon as a top-level window is mapped
writes a PNG of it to fd 3, then stops the script and exits 0. When the script ends first, the
driver exits with the script's code (128 + signal when killed). Trusted code; the host treats
what arrives on fd 3 as untrusted bytes all the same.
"""

import os
import re
import subprocess
import sys
import time

DISPLAY = ":99"
WINDOW_RE = re.compile(r"^\s+(0x[0-9a-f]+) (.*?):? \(.*?\)\s+(\d+)x(\d+)\+", re.M)


def main():
    dump_after = os.environ.pop("FF2_GUI_DUMP_AFTER_S", "")
    settle = float(os.environ.pop("FF2_GUI_SETTLE_S", "0.3"))
    xvfb = start_xvfb()
    env = dict(os.environ, DISPLAY=DISPLAY)
    if dump_after:
        env["FF2_DUMP_AFTER_S"] = dump_after
    # -u: the script is stopped with SIGKILL after the screenshot; unbuffered output survives that.
    child = subprocess.Popen(["/usr/bin/python3", "-I", "-u", "-X", "faulthandler", *sys.argv[1:]], env=env)
    while True:
        code = child.poll()
        if code is not None:
            xvfb.kill()
            sys.exit(code if code >= 0 else 128 - code)
        window = find_window()
        if window:
            time.sleep(settle)
            if child.poll() is None:
                shot = subprocess.run(
                    ["/usr/bin/import", "-window", window, "png:-"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                ).stdout
                write_all(3, shot)
                child.kill()
                child.wait()
                xvfb.kill()
                sys.exit(0)
        time.sleep(0.05)


def start_xvfb():
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["/usr/bin/Xvfb", DISPLAY, "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-displayfd", str(write_end)],
        pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    ready = os.read(read_end, 64)  # read_end stays open: Xvfb dies of SIGPIPE if it is closed
    if not ready.strip():
        sys.stderr.write("ff2 sandbox: Xvfb did not start\n")
        sys.exit(125)
    return xvfb


def find_window():
    listing = subprocess.run(
        ["/usr/bin/xwininfo", "-root", "-children"],
        env=dict(os.environ, DISPLAY=DISPLAY), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False,
    ).stdout
    for window, _name, width, height in WINDOW_RE.findall(listing):
        if int(width) > 1 and int(height) > 1 and is_viewable(window):
            return window
    return None


def is_viewable(window):
    info = subprocess.run(
        ["/usr/bin/xwininfo", "-id", window],
        env=dict(os.environ, DISPLAY=DISPLAY), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False,
    ).stdout
    return "IsViewable" in info


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


if __name__ == "__main__":
    main()
