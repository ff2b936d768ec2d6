"""ff2's static analyser, part one: the sections of a script (imports, globals, each function and
class, the main guard with the function it calls), from the syntax tree or, for source that does
not parse, from indentation alone. Trusted helper code; toolchain.ts sends it ahead of analyze.py.
"""

import ast
import re


def start_line(node):
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def is_import_block(node):
    """An import, or a try/if whose every branch holds only imports (and pass/assignments)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        if not node.body or not all(is_import_block(n) for n in node.body):
            return False
        for handler in node.handlers:
            if not all(is_import_block(n) or isinstance(n, (ast.Pass, ast.Assign)) for n in handler.body):
                return False
        return all(is_import_block(n) for n in node.orelse + node.finalbody)
    if isinstance(node, ast.If) and not is_main_guard(node):
        body = node.body + node.orelse
        return bool(body) and all(is_import_block(n) for n in body)
    return False


def is_main_guard(node):
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def is_docstring(node, index):
    return (
        index == 0
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def classify(node, index):
    if is_docstring(node, index) or is_import_block(node):
        return "imports", "imports"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "function", node.name
    if isinstance(node, ast.ClassDef):
        return "class", node.name
    if is_main_guard(node):
        return "main", "main"
    return "globals", "globals"


def called_function(guard, defined):
    """The function the main guard runs when calling it is the guard's only statement: `main()`,
    `sys.exit(main())` or `raise SystemExit(main())`. Any other guard is the main section alone."""
    if len(guard.body) != 1 or guard.orelse:
        return None
    stmt = guard.body[0]
    if isinstance(stmt, ast.Expr):
        call = stmt.value
    elif isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call):
        call = stmt.exc
        if not (isinstance(call.func, ast.Name) and call.func.id == "SystemExit"):
            return None
    else:
        return None
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    wrapper = (isinstance(func, ast.Attribute) and func.attr == "exit" and isinstance(func.value, ast.Name)
               and func.value.id == "sys") or (isinstance(func, ast.Name) and func.id in ("exit", "SystemExit"))
    if wrapper:
        if len(call.args) != 1 or not isinstance(call.args[0], ast.Call):
            return None
        call = call.args[0]
        func = call.func
    if isinstance(func, ast.Name) and func.id in defined:
        return func.id
    return None


def sections(tree):
    out = []
    for index, node in enumerate(tree.body):
        kind, name = classify(node, index)
        first, last = start_line(node), node.end_lineno or node.lineno
        previous = out[-1] if out else None
        if previous and first <= previous["endLine"]:  # two statements on one line (`a; b`)
            previous["endLine"] = max(previous["endLine"], last)
            continue
        if previous and kind in ("imports", "globals") and previous["kind"] == kind:
            previous["endLine"] = last
            continue
        out.append({"kind": kind, "name": name, "startLine": first, "endLine": last})
    # The main guard plus the function it calls form one "main" section when adjacent.
    functions = {s["name"] for s in out if s["kind"] == "function"}
    for i, section in enumerate(out):
        if section["kind"] != "main" or i == 0:
            continue
        guard = next(n for n in tree.body if is_main_guard(n) and n.lineno == section["startLine"])
        callee = called_function(guard, functions)
        before = out[i - 1]
        if callee and before["kind"] == "function" and before["name"] == callee:
            section["startLine"] = before["startLine"]
            out.pop(i - 1)
            break
    return out


def rough_sections(source):
    """Best-effort top-level sections for source that does not parse, from indentation alone."""
    out = []
    lines = source.splitlines()
    pending_decorator = None
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text[0] in " \t#" or text.startswith((")", "]", "}")):
            continue
        match = re.match(r"(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)", text)
        if text.startswith("@"):
            pending_decorator = pending_decorator or number
            continue
        if match:
            kind, name = ("function" if match.group(1) == "def" else "class"), match.group(2)
        elif re.match(r"(import|from)\s", text) or (not out and text.startswith(("'''", '"""'))):
            kind, name = "imports", "imports"
        elif re.match(r"if\s+__name__\s*==", text):
            kind, name = "main", "main"
        else:
            kind, name = "globals", "globals"
        first = pending_decorator or number
        pending_decorator = None
        if out and kind in ("imports", "globals") and out[-1]["kind"] == kind:
            continue
        out.append({"kind": kind, "name": name, "startLine": first, "endLine": first})
    # Each section runs to the last non-blank line before the next one.
    for i, section in enumerate(out):
        limit = out[i + 1]["startLine"] - 1 if i + 1 < len(out) else len(lines)
        end = limit
        while end > section["startLine"] and not lines[end - 1].strip():
            end -= 1
        section["endLine"] = max(section["startLine"], end)
    return out
