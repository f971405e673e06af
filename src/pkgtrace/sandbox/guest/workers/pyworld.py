"""Start a Python step of the import or execute phase in its world, then run it.

Settings come as JSON on stdin, read to its end at once, after which stdin is /dev/null (never
the environment: /proc/self/environ would show them to the package, a moved clock among them):
  src      folders put first on sys.path (the unpacked source, when the install fell back)
  standins a file to append the names of stood-in modules to (see standins.py); None: none
  roots    folders holding the package's own code: only its imports get stand-ins (default: src)
  windows  platform checks in the package's own code (under roots) answered as on Windows
           (wingate.py); the number of checks answered goes to the standins file as "#gates N"
  legacy   running setup.py: its setup_requires are dropped (they would be fetched and built
           first, and one that cannot be had stops setup() before the package's commands run)
  clock    seconds to move the clock ahead (0: the real clock)
  sleep    longest real sleep in seconds; a longer time.sleep() sleeps this long and moves the
           clock ahead by the rest, so code that sleeps and then checks the time sees it passed

argv: `import MODULE` or `script PATH ARGS…` (run as __main__ with sys.argv = [PATH, ARGS…]).

The clock is moved for this interpreter only: time.time/time_ns/monotonic/perf_counter, the
time module's default-argument functions and datetime's now/today/utcnow (datetime.datetime and
datetime.date are replaced by look-alike subclasses). Code that forks another interpreter, reads
the clock through ctypes or compares class identity with objects made before it ran sees the
real time.
"""
import json
import os
import sys


def _clock(shift, longest_sleep):
    import datetime as _dt
    import time as _t

    offset = [float(shift)]
    real = {n: getattr(_t, n) for n in ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter",
                                          "perf_counter_ns", "sleep", "localtime", "gmtime", "ctime",
                                          "asctime", "strftime")}

    def time():
        return real["time"]() + offset[0]

    def time_ns():
        return real["time_ns"]() + int(offset[0] * 1e9)

    def monotonic():
        return real["monotonic"]() + offset[0] - shift

    def monotonic_ns():
        return real["monotonic_ns"]() + int((offset[0] - shift) * 1e9)

    def perf_counter():
        return real["perf_counter"]() + offset[0] - shift

    def perf_counter_ns():
        return real["perf_counter_ns"]() + int((offset[0] - shift) * 1e9)

    def sleep(secs):
        secs = float(secs)
        if secs > longest_sleep:
            offset[0] += secs - longest_sleep
            secs = longest_sleep
        real["sleep"](secs)

    def localtime(secs=None):
        return real["localtime"](time() if secs is None else secs)

    def gmtime(secs=None):
        return real["gmtime"](time() if secs is None else secs)

    def ctime(secs=None):
        return real["ctime"](time() if secs is None else secs)

    def asctime(t=None):
        return real["asctime"](localtime() if t is None else t)

    def strftime(fmt, t=None):
        return real["strftime"](fmt, localtime() if t is None else t)

    for f in (time, time_ns, monotonic, monotonic_ns, perf_counter, perf_counter_ns, sleep,
              localtime, gmtime, ctime, asctime, strftime):
        f.__module__ = "time"
        f.__qualname__ = f.__name__
        setattr(_t, f.__name__, f)

    class datetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(time(), tz)

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(time())

        @classmethod
        def today(cls):
            return cls.fromtimestamp(time())

    class date(_dt.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(time())

    for cls in (datetime, date):
        cls.__module__ = "datetime"
        setattr(_dt, cls.__name__, cls)


def _settings():
    chunks, size = [], 0
    while size < SETTINGS_LIMIT:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        cfg = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        cfg = {}
    return cfg if isinstance(cfg, dict) else {}


SETTINGS_LIMIT = 4 << 20


def main():
    cfg = _settings()
    here = os.path.dirname(os.path.abspath(__file__))
    # this script's folder: the package's code should not see our modules
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    gates = []
    if cfg.get("standins"):
        standins = _load(here, "standins")
        names = standins.install([], cfg.get("roots") or cfg.get("src") or [])
        import atexit
        atexit.register(_save_names, cfg["standins"], names)
        _exit = os._exit

        def _exit_saving(code, _exit=_exit):  # the execute worker leaves through os._exit
            _save_names(cfg["standins"], names)
            _save_names(cfg["standins"], gates, "#gates ")
            _exit(code)
        os._exit = _exit_saving
    if cfg.get("windows"):
        _windows_temp()
        wingate = _load(here, "wingate")
        wingate.install(cfg.get("roots") or cfg.get("src") or [], gates)
        if cfg.get("standins"):
            import atexit
            atexit.register(_save_names, cfg["standins"], gates, "#gates ")
    if cfg.get("clock") or cfg.get("sleep"):
        _clock(float(cfg.get("clock") or 0), float(cfg.get("sleep") or 1e9))
    for d in reversed(cfg.get("src") or []):
        sys.path.insert(0, d)
    if cfg.get("legacy"):
        _drop_setup_requires()
    kind, target = sys.argv[1], sys.argv[2]
    if kind == "import":
        import importlib
        importlib.import_module(target)
    else:
        import runpy
        sys.argv = sys.argv[2:]
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        if cfg.get("windows") and cfg.get("legacy"):
            _run_script_windows(target, gates)
        else:
            runpy.run_path(target, run_name="__main__")


def _windows_temp():
    """TEMP and TMP as Windows sets them (LOCALAPPDATA\\Temp, the persona's), for code past a
    Windows gate that writes its next stage to `os.getenv("TMP") + "\\x.ps1"`; this interpreter's
    own tempfile folder is fixed first, so only that Windows-style code (and what it starts) sees them."""
    import tempfile
    tempfile.gettempdir()
    local = os.environ.get("LOCALAPPDATA")
    if local and os.path.isdir(os.path.join(local, "Temp")):
        for var in ("TEMP", "TMP"):
            os.environ.setdefault(var, os.path.join(local, "Temp"))


def _load(here, name):
    import importlib.util
    spec = importlib.util.spec_from_file_location("_" + name, os.path.join(here, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run_script_windows(path, gates):
    """Run setup.py as __main__ with its platform checks answered as on Windows."""
    import types
    with open(path, "rb") as f:
        source = f.read()
    here = os.path.dirname(os.path.abspath(__file__))
    code = _load(here, "wingate").transform(source, path, gates)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def _drop_setup_requires():
    import functools

    def wrap(setup):
        @functools.wraps(setup)
        def setup_without_requires(*args, **kwargs):
            kwargs.pop("setup_requires", None)
            return setup(*args, **kwargs)
        return setup_without_requires

    for modname in ("setuptools", "distutils.core"):
        try:
            mod = __import__(modname, fromlist=["setup"])
            mod.setup = wrap(mod.setup)
        except Exception:  # noqa: BLE001 - a broken setuptools only loses this nicety
            pass


def _save_names(path, names, prefix=""):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write("".join(f"{prefix}{n}\n" for n in names))
        names.clear()
    except OSError:
        pass


if __name__ == "__main__":
    main()
