"""ff2's script describer: reads Python source on stdin, prints one JSON object on stdout.

Trusted helper code, run as `python3 -I describe.py`. It never executes the source: from `ast`
only, it lists the top-level functions and classes with their parameter lists, return
annotations, first docstring lines and the top-level functions each one calls, plus the module
docstring, imports and module-level constant names. A source that does not parse gives
{"ok": false}.
"""

import ast
import json
import sys


def first_line(text):
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""


def calls_in(node, names):
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in names:
            if sub.func.id not in found:
                found.append(sub.func.id)
    return found


def describe(source):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {"ok": False}
    top = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    names = {n.name for n in top}
    functions, classes, imports, constants = [], [], [], []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append({
                "name": node.name,
                "params": ast.unparse(node.args),
                "returns": ast.unparse(node.returns) if node.returns else "",
                "doc": first_line(ast.get_docstring(node)),
                "calls": calls_in(node, names),
            })
        elif isinstance(node, ast.ClassDef):
            classes.append({
                "name": node.name,
                "doc": first_line(ast.get_docstring(node)),
                "methods": [m.name for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))],
            })
        elif isinstance(node, ast.Import):
            imports.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imports.extend(f"{node.module or ''}.{a.name}" for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            constants.extend(t.id for t in targets if isinstance(t, ast.Name))
    return {
        "ok": True,
        "doc": first_line(ast.get_docstring(tree)),
        "functions": functions,
        "classes": classes,
        "imports": imports,
        "constants": constants,
    }


def main():
    source = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    print(json.dumps(describe(source)))


if __name__ == "__main__":
    main()
