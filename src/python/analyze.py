"""ff2's static analyser: reads Python source on stdin, prints one JSON object on stdout.

Trusted helper code, run as `python3 -I analyze.py`. It never executes the analysed source:
everything comes from `ast` and `tokenize`. Import availability is checked with finders only
(no package is imported), against the sys.path the sandbox sees (no /usr/local).
"""

import ast
import builtins
import importlib.machinery
import io
import json
import os
import re
import sys
import tokenize

MODULE_DUNDERS = {
    "__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__",
    "__package__", "__annotations__", "__path__", "__cached__", "__dict__", "__class__",
}
TODO_RE = re.compile(r"\b(TODO|FIXME|XXX)\b")
SANDBOX_HIDDEN_PREFIXES = ("/usr/local",)


def main():
    print(json.dumps(analyze(decode(sys.stdin.buffer.read()))))


def decode(data):
    """The source as Python reads it: a UTF-8 BOM is not part of the code; bytes that are not
    UTF-8 are decoded by their coding line (PEP 263). ff2 itself always sends UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def analyze(source):
    result = {
        "syntaxError": None,
        "sections": [],
        "undefinedNames": [],
        "duplicates": [],
        "placeholders": [],
        "imports": [],
        "exits": [],
        "parsers": [],
    }
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        result["syntaxError"] = {
            "line": error.lineno or 1,
            "col": error.offset or 0,
            "message": error.msg,
        }
        result["sections"] = rough_sections(source)
        return result
    except ValueError as error:  # e.g. source with NUL bytes
        result["syntaxError"] = {"line": 1, "col": 0, "message": str(error)}
        return result
    result["sections"] = sections(tree)
    result["undefinedNames"] = undefined_names(tree)
    result["duplicates"] = duplicates(tree)
    result["placeholders"] = placeholders(tree, source)
    result["imports"] = imports(tree)
    result["exits"], result["parsers"] = exits_and_parsers(tree)
    return result


def exits_and_parsers(tree):
    """sys.exit("…")/exit("…")/raise SystemExit("…") with their message (a literal, or an f-string's
    leading text), and the lines that build an argparse parser: where a run without a traceback ended."""
    exits, parsers = [], []
    for node in ast.walk(tree):
        call = node.exc if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) else node
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "ArgumentParser":
            parsers.append(call.lineno)
        is_exit = (name == "exit" and not isinstance(node, ast.Raise)) or name == "SystemExit"
        if is_exit and call.args:
            message = literal_text(call.args[0])
            if message:
                exits.append({"line": call.lineno, "message": message})
    exits.sort(key=lambda e: e["line"])
    return exits, sorted(set(parsers))


def literal_text(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        head = ""
        for part in node.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                break
            head += part.value
        return head
    return ""


# Sections (which top-level statements make up which section) are in analyze_sections.py. ff2
# sends both files as one program (toolchain.ts); run as a file, this imports it from beside itself.
if "sections" not in globals():
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from analyze_sections import is_docstring, rough_sections, sections  # noqa: E402


# ---- names --------------------------------------------------------------------------------


def bound_names(tree):
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.MatchAs) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return bound


def undefined_names(tree):
    """Names loaded somewhere but bound nowhere, neither imported nor builtin."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return []  # a star import can bind anything
    known = bound_names(tree) | set(dir(builtins)) | MODULE_DUNDERS
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    found = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)) or node.id in known:
            continue
        entry = found.setdefault(node.id, {"name": node.id, "line": node.lineno, "attribute": False, "called": False})
        entry["line"] = min(entry["line"], node.lineno)
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            entry["attribute"] = True
        if isinstance(parent, ast.Call) and parent.func is node:
            entry["called"] = True
    return sorted(found.values(), key=lambda e: (e["line"], e["name"]))


def duplicates(tree):
    out = []

    def scan(body, prefix):
        seen = set()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if is_overload(node):
                    continue
                name = prefix + node.name
                if node.name in seen and name not in out:
                    out.append(name)
                seen.add(node.name)
                if isinstance(node, ast.ClassDef):
                    scan(node.body, name + ".")

    scan(tree.body, "")
    return out


def decorator_names(node):
    names = set()
    for d in getattr(node, "decorator_list", []):
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def is_overload(node):
    return bool(decorator_names(node) & {"overload", "setter", "getter", "deleter", "register"})


# ---- placeholders -------------------------------------------------------------------------


def placeholders(tree, source):
    out = []
    spans = []

    def visit(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + node.name
                spans.append((node.lineno, node.end_lineno or node.lineno, name))
                kind = placeholder_kind(node)
                if kind:
                    out.append({"name": name, "line": node.lineno, "kind": kind})
                visit(node.body, name + ".")
            elif isinstance(node, ast.ClassDef):
                spans.append((node.lineno, node.end_lineno or node.lineno, prefix + node.name))
                visit(node.body, prefix + node.name + ".")
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        visit([n for n in inner if isinstance(n, ast.AST)], prefix)
                if isinstance(node, ast.ExceptHandler):
                    visit(node.body, prefix)

    visit(tree.body, "")
    for line, comment in comments(source):
        if TODO_RE.search(comment):
            holders = [s for s in spans if s[0] <= line <= s[1]]
            name = min(holders, key=lambda s: s[1] - s[0])[2] if holders else "module"
            out.append({"name": name, "line": line, "kind": "todo"})
    return sorted(out, key=lambda p: (p["line"], p["name"]))


def placeholder_kind(node):
    if decorator_names(node) & {"abstractmethod", "overload"}:
        return None
    body = node.body
    if body and is_docstring(body[0], 0):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            target = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return "not_implemented"
    if not body:
        return "pass"  # docstring only
    if all(isinstance(s, ast.Pass) for s in body):
        return "pass"
    if all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and s.value.value is Ellipsis for s in body):
        return "ellipsis"
    return None


def comments(source):
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError):
        return


# ---- imports ------------------------------------------------------------------------------


def imports(tree):
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append({"module": alias.name, "line": node.lineno, "available": available(alias.name)})
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            ok = node.level == 0 and available(node.module or "")
            out.append({"module": module, "line": node.lineno, "available": ok})
    return sorted(out, key=lambda i: (i["line"], i["module"]))


SEARCH_PATH = [p for p in sys.path if p and not p.startswith(SANDBOX_HIDDEN_PREFIXES)]
_available_cache = {}


def available(module):
    if module in _available_cache:
        return _available_cache[module]
    ok = find(module)
    _available_cache[module] = ok
    return ok


def find(module):
    """Locates a module with path finders only: nothing is imported or executed."""
    parts = module.split(".")
    if not all(p.isidentifier() for p in parts):
        return False
    top = parts[0]
    if top == "__future__" or top in sys.builtin_module_names:
        return len(parts) == 1 or top == "__future__"
    spec = importlib.machinery.PathFinder.find_spec(top, SEARCH_PATH)
    if spec is None:
        spec = importlib.machinery.FrozenImporter.find_spec(top)
    for part in parts[1:]:
        if spec is None:
            return False
        locations = spec.submodule_search_locations
        if not locations:
            return True  # a plain module (os.path): its attributes cannot be checked without importing it
        spec = importlib.machinery.PathFinder.find_spec(part, list(locations))
    return spec is not None


if __name__ == "__main__":
    main()
