"""Execute-phase worker for Python (runs in the venv): call every public function, class and method
the package's modules define, with placeholder arguments. Protocol: see ../harness.py.

argv: MODULES(comma-separated) START
"""
import asyncio
import importlib
import inspect
import itertools
import json
import os
import pkgutil
import re
import sys
from unittest import mock

EV = os.fdopen(100, "w", buffering=1)  # the event pipe: always fd 100 (harness.EVENT_FD)
os.set_inheritable(100, False)  # the package's own processes get nothing of it
MAX_MODULES = 200
DRAIN = 1000
AWAIT_SECONDS = 9.0  # under the harness's per-step bound, so an await ends as a result


def emit(**ev):
    EV.write(json.dumps(ev, default=str) + "\n")


def modules(tops):
    out = []
    for top in tops:
        try:
            m = importlib.import_module(top)
        except BaseException:
            continue
        out.append(m)
        for info in pkgutil.walk_packages(getattr(m, "__path__", []) or [], top + "."):
            if len(out) >= MAX_MODULES:
                break
            if any(p.startswith("_") or p in ("tests", "test") for p in info.name.split(".")[1:]):
                continue
            try:
                out.append(importlib.import_module(info.name))
            except BaseException:
                continue
    return out


def discover(mods):
    """(name, thunk-maker) pairs, in a stable order."""
    steps = []
    for m in mods:
        for name, obj in sorted(vars(m).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != m.__name__:
                continue
            if inspect.isfunction(obj):
                steps.append((f"{m.__name__}.{name}", ("function", obj)))
            elif inspect.isclass(obj):
                steps.append((f"{m.__name__}.{name}()", ("class", obj)))
                for attr, member in sorted(vars(obj).items()):
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, (staticmethod, classmethod, property)) or inspect.isfunction(member):
                        steps.append((f"{m.__name__}.{name}.{attr}", ("member", obj, attr, member)))
    return steps


# Ordinary values: nothing in them names the analyser (a package may look).
_SIMPLE = {"str": "example", "int": 1, "float": 1.0, "bool": True, "bytes": b"example",
           "list": [], "dict": {}, "tuple": (), "set": set(), "bytearray": bytearray(b"example")}


# Parameters named for a destination get one that can be reached (the network simulator answers
# every name): a mock there makes the send fail before it shows where data would go.
_DESTINATION = re.compile(r"(?i)(?:url|uri|endpoint|webhook)s?$")


def placeholder(annotation, name=""):
    if _DESTINATION.search(name or ""):
        return "http://hooks.example.com/"  # verdict/evidence.PLACEHOLDER_HOST
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if name in _SIMPLE:
        v = _SIMPLE[name]
        return v.copy() if hasattr(v, "copy") else v
    return mock.MagicMock(name="value")


def arguments(fn, skip_first=False):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return [], {}
    args, kwargs = [], {}
    params = list(sig.parameters.values())[1 if skip_first else 0:]
    for p in params:
        if p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = placeholder(p.annotation, p.name)
        else:
            args.append(placeholder(p.annotation, p.name))
    return args, kwargs


def instance(cls):
    args, kwargs = arguments(cls)
    try:
        return cls(*args, **kwargs)
    except BaseException:
        return cls.__new__(cls)


async def _await(x):
    return await asyncio.wait_for(x, AWAIT_SECONDS)


async def _drain_async(gen):
    items = 0
    async for _ in gen:
        items += 1
        if items >= DRAIN:
            break
    return items


def settle(result):
    """Await coroutines, drain generators: make lazy code run. Returns a short description."""
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
        return "awaited " + type(result).__name__
    if inspect.isasyncgen(result):
        return f"async generator({asyncio.run(asyncio.wait_for(_drain_async(result), AWAIT_SECONDS))} items)"
    if inspect.isgenerator(result) or isinstance(result, (map, filter, itertools.chain)):
        return f"generator({sum(1 for _ in itertools.islice(result, DRAIN))} items)"
    return type(result).__name__


def call(step):
    kind, obj = step[0], step[1]
    if kind == "function":
        args, kwargs = arguments(obj)
        return settle(obj(*args, **kwargs))
    if kind == "class":
        args, kwargs = arguments(obj)
        return settle(obj(*args, **kwargs))
    cls, attr, member = step[1], step[2], step[3]
    if isinstance(member, property):
        return settle(getattr(instance(cls), attr))
    if isinstance(member, staticmethod):
        args, kwargs = arguments(member.__func__)
        return settle(getattr(cls, attr)(*args, **kwargs))
    if isinstance(member, classmethod):
        args, kwargs = arguments(member.__func__, skip_first=True)
        return settle(getattr(cls, attr)(*args, **kwargs))
    args, kwargs = arguments(member, skip_first=True)
    return settle(getattr(instance(cls), attr)(*args, **kwargs))


def main():
    tops, start = sys.argv[1].split(","), int(sys.argv[2])
    steps = discover(modules([t for t in tops if t]))
    emit(event="plan", steps=[name for name, _ in steps])
    for i, (_name, step) in enumerate(steps):
        if i < start:
            continue
        emit(event="start", i=i)
        try:
            emit(event="end", i=i, ok=True, result=call(step))
        except BaseException as e:  # SystemExit too: the package may call sys.exit
            emit(event="end", i=i, ok=False, error=f"{type(e).__name__}: {e}"[:500])
    EV.flush()
    os._exit(0)  # no atexit hooks or lingering threads of the package


if __name__ == "__main__":
    main()
