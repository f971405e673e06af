"""Platform checks in the package's own code answered as on Windows (fallback runs only).

Much PyPI malware gates its payload on `os.name == "nt"`, `sys.platform == "win32"` or
`platform.system() == "Windows"` (or on a string it computes, to hide the comparison). Faking os.name for the whole interpreter would break Python
itself (os.path becomes ntpath), so instead the package's own source files (those under ROOTS)
are compiled with such comparisons replaced by their Windows answer, and any other read of
os.name, sys.platform or platform.system() by the Windows value. Code that has passed such a
gate goes on to Windows' ctypes (`ctypes.windll.shell32.IsUserAnAdmin()`, `from ctypes import
WinDLL`), which Linux's ctypes lacks: in the package's own code a read of those names falls back,
when the object has no such attribute, to a module of the same name that stands in (standins.py,
which pyworld.py installs alongside), so the code carries on past the AttributeError. Other code
(the standard library, other distributions) sees the truth: nothing is added to ctypes itself.
install(roots) hooks the source loader; transform(source, path) serves scripts run directly
(setup.py).
"""
import ast
import importlib.machinery
import os
import sys

_WINDOWS = {"name": "nt", "platform": "win32", "system": "Windows", "sys.platform": "win32"}


def _subject(node):
    """'os.name', 'sys.platform' or 'platform.system()' if NODE is one of them, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.attr == "name" and node.value.id in ("os", "_os"):
            return "os.name"
        if node.attr == "platform" and node.value.id in ("sys", "_sys"):
            return "sys.platform"
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "system" and isinstance(node.func.value, ast.Name) \
            and node.func.value.id in ("platform", "_platform"):
        return "platform.system()"
    return None


_ANSWER = {"os.name": "nt", "sys.platform": "win32", "platform.system()": "Windows"}
# Windows-only names of ctypes (the loaders of DLLs and their helpers)
_WIN_CTYPES = frozenset({"windll", "oledll", "WinDLL", "OleDLL", "WINFUNCTYPE", "WinError",
                         "FormatError", "GetLastError", "HRESULT"})


def _win_name(obj, attr, node):
    """`getattr(OBJ, ATTR, None) or __import__(ATTR).ATTR`: the real attribute where it exists,
    else the permissive stand-in that the stood-in module of that name (a missing import of the
    package's own code) hands out."""
    real = ast.Call(ast.Name("getattr", ast.Load()), [obj, ast.Constant(attr), ast.Constant(None)], [])
    standin = ast.Attribute(ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant(attr)], []),
                            attr, ast.Load())
    return ast.copy_location(ast.BoolOp(ast.Or(), [real, standin]), node)


class _Flip(ast.NodeTransformer):
    def __init__(self):
        self.flipped = 0

    def visit_Compare(self, node):
        if len(node.ops) != 1:
            self.generic_visit(node)
            return node
        left, op, right = node.left, node.ops[0], node.comparators[0]
        subj, const = _subject(left), right
        if subj is None:
            subj, const = _subject(right), left
        if subj is None or not isinstance(const, ast.Constant) or not isinstance(const.value, str):
            self.generic_visit(node)  # os.name against a computed string: the value itself
            return node
        value = _ANSWER[subj]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            result = value.lower() == const.value.lower()
            result = result if isinstance(op, ast.Eq) else not result
        elif isinstance(op, (ast.In, ast.NotIn)) and const is right:
            result = value in const.value
            result = result if isinstance(op, ast.In) else not result
        else:
            self.generic_visit(node)
            return node
        self.flipped += 1
        return ast.copy_location(ast.Constant(result), node)

    def visit_Call(self, node):
        subj = _subject(node)
        if subj == "platform.system()":
            self.flipped += 1
            return ast.copy_location(ast.Constant(_ANSWER[subj]), node)
        self.generic_visit(node)
        return node

    def visit_ImportFrom(self, node):
        # `from ctypes import windll, c_int`: the real names imported, the Windows-only ones bound
        # to their stand-ins
        win = [a for a in node.names if a.name in _WIN_CTYPES] if node.module == "ctypes" and not node.level else []
        if not win:
            return node
        out = []
        rest = [a for a in node.names if a.name not in _WIN_CTYPES]
        if rest:
            out.append(ast.copy_location(ast.ImportFrom("ctypes", rest, 0), node))
        mod = ast.Call(ast.Name("__import__", ast.Load()), [ast.Constant("ctypes")], [])
        for a in win:  # not counted as a gate: the stand-in's name is in the list of stand-ins
            out.append(ast.copy_location(ast.Assign([ast.Name(a.asname or a.name, ast.Store())],
                                                    _win_name(mod, a.name, node)), node))
        return out

    def visit_Attribute(self, node):
        if node.attr in _WIN_CTYPES and isinstance(node.ctx, ast.Load):
            return _win_name(self.visit(node.value), node.attr, node)
        # any other read of os.name / sys.platform (compared with a computed string, passed on,
        # `.startswith("win")`): the Windows value itself
        subj = _subject(node)
        if subj and isinstance(node.ctx, ast.Load):
            self.flipped += 1
            return ast.copy_location(ast.Constant(_ANSWER[subj]), node)
        self.generic_visit(node)
        return node


def transform(source, path, counter=None):
    """Code for SOURCE with its platform checks answered as on Windows (SOURCE unchanged if it
    does not parse: compiling it then raises the package's own SyntaxError)."""
    try:
        tree = ast.parse(source, path)
    except (SyntaxError, ValueError):
        return compile(source, path, "exec", dont_inherit=True)
    flip = _Flip()
    tree = ast.fix_missing_locations(flip.visit(tree))
    if counter is not None:
        counter.append(flip.flipped)
    return compile(tree, path, "exec", dont_inherit=True)


def install(roots, counter):
    """Compile the package's own modules (under ROOTS) through transform(), from source: their
    cached bytecode (compiled by pip) would skip the rewrite."""
    roots = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in roots)
    if not roots:
        return
    original = importlib.machinery.SourceFileLoader.get_code

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        if (os.path.realpath(path) + os.sep).startswith(roots):  # a folder or a single file
            return transform(self.get_data(path), path, counter)
        return original(self, fullname)
    get_code.__qualname__ = original.__qualname__
    importlib.machinery.SourceFileLoader.get_code = get_code
