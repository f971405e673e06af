# install the apport exception handler if available
try:
    import apport_python_hook
except ImportError:
    pass
else:
    apport_python_hook.install()


# The Windows persona for Python (sandbox/persona.py), laid over Debian's sitecustomize for the
# run by setup.sh: Windows-only spellings of subprocess calls reach the stand-in tools instead of
# dying with an AttributeError or ValueError before the payload shows itself.
#  - subprocess gains Windows' constants (CREATE_NO_WINDOW, STARTUPINFO, SW_HIDE…);
#  - creationflags/startupinfo are dropped (POSIX refuses them);
#  - a command line given as one string without shell=True is split as CreateProcess would,
#    when no program has the whole string as its name;
#  - os.startfile opens the file through the `start` stand-in;
#  - os.get_terminal_size answers 120x30 and os.getlogin the user where there is no terminal.
# os.name and sys.platform are left alone: code that checks them still takes its Linux path.
def _windows_spellings():
    import os
    import shlex
    import shutil
    import subprocess

    for name, value in (("CREATE_NO_WINDOW", 0x08000000), ("DETACHED_PROCESS", 0x8),
                        ("CREATE_NEW_CONSOLE", 0x10), ("CREATE_NEW_PROCESS_GROUP", 0x200),
                        ("HIGH_PRIORITY_CLASS", 0x80), ("BELOW_NORMAL_PRIORITY_CLASS", 0x4000),
                        ("STARTF_USESHOWWINDOW", 0x1), ("STARTF_USESTDHANDLES", 0x100), ("SW_HIDE", 0)):
        if not hasattr(subprocess, name):
            setattr(subprocess, name, value)

    if not hasattr(subprocess, "STARTUPINFO"):
        class STARTUPINFO:
            def __init__(self, *, dwFlags=0, hStdInput=None, hStdOutput=None, hStdError=None,
                         wShowWindow=0, lpAttributeList=None):
                self.dwFlags, self.wShowWindow = dwFlags, wShowWindow
                self.hStdInput, self.hStdOutput, self.hStdError = hStdInput, hStdOutput, hStdError
                self.lpAttributeList = lpAttributeList or {"handle_list": []}

            def copy(self):
                return STARTUPINFO(dwFlags=self.dwFlags, wShowWindow=self.wShowWindow)
        STARTUPINFO.__module__ = "subprocess"
        subprocess.STARTUPINFO = STARTUPINFO

    init = subprocess.Popen.__init__

    def __init__(self, args, *a, **kw):
        if kw.get("creationflags"):
            kw["creationflags"] = 0
        kw.pop("startupinfo", None)
        if isinstance(args, str) and not kw.get("shell") and " " in args.strip() \
                and not shutil.which(args) and not os.path.exists(args):
            try:
                args = shlex.split(args.replace("\\", "\\\\"))
            except ValueError:
                args = args.split()
        init(self, args, *a, **kw)
    __init__.__wrapped__ = init
    __init__.__qualname__ = init.__qualname__
    subprocess.Popen.__init__ = __init__

    # No terminal in the sandbox: console code (obfuscators, banners) asks its size before its payload.
    get_size = os.get_terminal_size

    def get_terminal_size(fd=1):
        try:
            return get_size(fd)
        except OSError:
            return os.terminal_size((120, 30))
    get_terminal_size.__qualname__ = get_terminal_size.__name__
    get_terminal_size.__module__ = "posix"
    os.get_terminal_size = get_terminal_size

    # os.getlogin() asks the terminal too: answer as a desktop session would, with the user
    getlogin = os.getlogin

    def _getlogin():
        try:
            return getlogin()
        except OSError:
            import pwd
            return os.environ.get("USERNAME") or pwd.getpwuid(os.getuid()).pw_name
    _getlogin.__name__ = _getlogin.__qualname__ = "getlogin"
    _getlogin.__module__ = "posix"
    os.getlogin = _getlogin

    if not hasattr(os, "startfile"):
        def startfile(filepath, operation=None, arguments="", cwd=None, show_cmd=1):
            subprocess.Popen(["cmd.exe", "/c", "start", "", os.fspath(filepath), *([arguments] if arguments else [])],
                             cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        startfile.__module__ = "nt"
        os.startfile = startfile


try:
    _windows_spellings()
except Exception:  # never let the persona break an interpreter's start
    pass
del _windows_spellings
