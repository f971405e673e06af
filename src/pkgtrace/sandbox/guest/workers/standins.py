"""Permissive stand-in modules for imports that cannot be found (fallback runs only).

Malware is often written for Windows or against modules that are not installed (win32api,
browser_cookie3, discord_webhook…); its setup.py or module top level then dies at the import,
before the payload runs. A stand-in answers such an import with a module whose every attribute
is a permissive class: it can be called, subclassed, iterated (empty), used as a decorator or a
context manager, indexed and compared, so the code after the import keeps going and shows what it
does with the files, processes and network it can really reach.

install(record, roots) puts the finder last on sys.meta_path (real modules always win) and notes
each name it stood in for in RECORD, a list the caller writes out. Only imports made by code under
ROOTS (the package's own source) get stand-ins: the standard library and other installed
distributions probe for optional modules (`try: import msvcrt except ImportError`) and must keep
getting the truth, or they take code paths for platforms and modules that are not there.
"""
import importlib.abc
import importlib.machinery
import os
import sys


class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub(name)

    def __call__(cls, *args, **kwargs):
        # `@module.decorator` without parentheses: hand the function back unchanged
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], _Meta):
            return args[0]
        return super().__call__(*args, **kwargs)

    def __iter__(cls):
        return iter(())

    def __getitem__(cls, key):
        return _stub("item")

    def __or__(cls, other):  # `Stub | None` in annotations
        return cls

    __ror__ = __or__


class _Base(metaclass=_Meta):
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub(name)

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]):
            return args[0]
        return _stub("result")()

    def __iter__(self):
        return iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __getitem__(self, key):
        return _stub("item")()

    def __setitem__(self, key, value):
        pass

    def __len__(self):
        return 0

    def __bool__(self):
        return True

    def __int__(self):
        return 0

    __index__ = __int__

    def __float__(self):
        return 0.0

    def __str__(self):
        return ""

    def __fspath__(self):
        return "/nonexistent"

    def __await__(self):
        return iter(())


def _stub(name):
    return _Meta(str(name), (_Base,), {})


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__path__ = []  # a package, so that `import a.b.c` works below it
        module.__getattr__ = lambda name: (_ for _ in ()).throw(AttributeError(name)) \
            if name.startswith("__") else _stub(name)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, record, roots):
        self.record = record
        self.roots = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in roots)

    def find_spec(self, fullname, path=None, target=None):
        if not self._from_package():
            return None
        if fullname not in self.record:
            self.record.append(fullname)
        return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)


    def _from_package(self):
        """Whether the import being served was asked for by code under the package's roots."""
        f = sys._getframe(2)
        while f is not None and f.f_code.co_filename.startswith("<frozen importlib"):
            f = f.f_back
        if f is None:
            return False
        # + sep: a root may be a folder or a single-file module (site-packages/mod.py)
        return (os.path.realpath(f.f_code.co_filename) + os.sep).startswith(self.roots)


def install(record, roots):
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder(record, roots))
    return record

