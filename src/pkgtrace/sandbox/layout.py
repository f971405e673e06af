"""Where things are inside the guest, and who runs them.

Package code runs as USER, an ordinary login user with a lived-in home. pkgtrace's own pieces sit
where that user can neither read nor change them (under /root, mode 0700): the drivers, the bait
originals and the folder the drivers write their records to. Only the workers, which run as the
package user because they call into the package, are readable by it, under an unremarkable name.
"""

from __future__ import annotations

USER, UID, GID = "alex", 1000, 1000
HOME = f"/home/{USER}"
HOSTNAME = "alex-dev"
# Root-only (the package user cannot traverse /root).
DRIVERS = "/root/.ci/bin"
BAIT = "/root/.ci/seed"
RECORDS = "/root/.ci/out"
# Readable by the package user: the language workers that call into the package.
WORKERS = "/usr/local/lib/ci"
# Where the artifact is, as a user who downloaded it would have it.
ARTIFACTS = f"{HOME}/Downloads"
# Local mirrors of dependencies (tests): read by the package managers, so readable by the user.
MIRRORS = "/srv/mirror"
# The Windows persona's stand-in tools (sandbox/persona.py): last on the package user's PATH,
# read-only, root's.
WINTOOLS = "/usr/local/lib/wintools"
# The PID 1 of the guest: guest/init.py, bound here so that `ps` shows an init.
INIT = "/sbin/init"
# Every folder the package user can write to (the image's, checked by tests/sandbox/test_layout.py,
# and the run's own mounts): after each phase, written.py lists what changed under them.
WRITABLE = (HOME, "/tmp", "/var/tmp", "/work", "/dev/shm", "/run/lock", "/var/lib/php/sessions")
# The package managers' install targets under them: thousands of ordinary files land there, so
# their contents are hashed but their first KiB is not kept.
# Narrow on purpose: ~/.cache or ~/.local as a whole would be a place to drop a binary unseen.
INSTALL_TARGETS = (f"{HOME}/.venv/lib/", f"{HOME}/.local/lib/", f"{HOME}/.cache/pip/", f"{HOME}/.npm/_cacache/",
                   f"{HOME}/app/node_modules/", f"{HOME}/.cargo/registry/", f"{HOME}/.local/share/gem/",
                   "/work/cargo/", "/work/.composer/cache/", "/work/composer-project/vendor/", "/work/src/")
# For the drivers and control steps: never a folder the package user can write to.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# What the package's processes see: a user's ordinary environment.
USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"

_INTERPRETERS = {".py": ["/usr/bin/python3", "-I", "-S"],
                 # node by way of nodedriver.py, which moves the settings to its stdin (see there)
                 ".js": ["/usr/bin/python3", "-I", "-S", f"{DRIVERS}/nodedriver.py"]}


def driver(script: str, *args: str) -> list[str]:
    """The argv that starts guest driver SCRIPT: an absolute interpreter in isolated mode (no
    site folder, no user paths, no PYTHON* settings from the environment)."""
    interp = _INTERPRETERS[script[script.rindex("."):]]
    return [*interp, f"{DRIVERS}/{script}", *args]


def guest_env() -> dict[str, str]:
    """Settings the drivers take out of their environment before starting anything (harness.py)."""
    # GUEST_STATE: what a driver keeps for the later phases (the install's fallback), root-only
    # like the records; a world's phases write their records to a subfolder but share this state.
    return {"PKGTRACE_GUEST_OUT": RECORDS, "PKGTRACE_GUEST_STATE": RECORDS, "PKGTRACE_WORKERS": WORKERS,
            "PKGTRACE_UID": str(UID), "PKGTRACE_GID": str(GID)}
