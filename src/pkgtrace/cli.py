"""`pkgtrace …`: the one entry point. Commands stay thin; the work lives in the packages."""

from __future__ import annotations

from pkgtrace.commands._app import app, main  # noqa: F401 - main is the console script
# Each import registers that module's commands on `app`.
from pkgtrace.commands import analyze as _analyze  # noqa: F401
from pkgtrace.commands import sandbox as _sandbox  # noqa: F401
from pkgtrace.commands import static as _static  # noqa: F401
from pkgtrace.commands import pipeline as _pipeline  # noqa: F401
from pkgtrace.commands import status as _status  # noqa: F401
from pkgtrace.commands import export as _export  # noqa: F401
from pkgtrace.commands import deps as _deps  # noqa: F401
from pkgtrace.commands import diff as _diff, osv as _osv, verify as _verify  # noqa: F401,E401
from pkgtrace.commands import serve as _serve  # noqa: F401
from pkgtrace.commands import eval as _eval  # noqa: F401
