"""ff2's script-environment discovery: prints one JSON object describing what a script can import.

Trusted helper code, run as `python -I environment.py` with the interpreter the sandbox runs (the
venv's when FF2_PYTHON_VENV is set). Nothing is imported but the standard library: third-party
packages are found by their files (pkgutil) and their metadata (importlib.metadata), against
the sys.path the sandbox sees (/usr/local is hidden there).
"""

import importlib.metadata
import json
import os
import pkgutil
import sys

HIDDEN_PREFIXES = ("/usr/local",)
# Present on every Debian Python but not for scripts: packaging tools and the OS's own modules.
NOT_FOR_SCRIPTS = {
    "pip", "setuptools", "pkg_resources", "wheel", "_distutils_hack", "distutils",
    "apt", "apt_pkg", "apt_inst", "aptsources", "debconf", "lsb_release", "debian", "debian_bundle",
    "_cffi_backend", "_yaml", "_ruamel_yaml", "pylab", "mpl_toolkits", "seccomp", "_brotli",
}


def main():
    site_dirs = [
        p for p in sys.path
        if p and not p.startswith(HIDDEN_PREFIXES) and os.path.basename(p) in ("site-packages", "dist-packages")
        and os.path.isdir(p)
    ]
    try:
        owners = importlib.metadata.packages_distributions()
    except Exception:
        owners = {}
    packages = {}
    for info in pkgutil.iter_modules(site_dirs):
        name = info.name
        if name in packages or name.startswith("_") or name in NOT_FOR_SCRIPTS or name in sys.stdlib_module_names:
            continue
        dist = (owners.get(name) or [None])[0]
        version = None
        if dist:
            try:
                version = importlib.metadata.version(dist)
            except Exception:
                version = None
        packages[name] = {
            "name": name,
            "distribution": dist,
            "version": version,
            "location": info.module_finder.path,
        }
    print(json.dumps({
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "prefix": sys.prefix,
        "venv": sys.prefix != sys.base_prefix,
        "siteDirs": site_dirs,
        "stdlib": sorted(sys.stdlib_module_names),
        "packages": sorted(packages.values(), key=lambda p: p["name"].lower()),
    }))


if __name__ == "__main__":
    main()
