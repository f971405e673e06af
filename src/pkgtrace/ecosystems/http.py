"""Registry fetching for the ecosystem modules: the shared client (pkgtrace.fetch), failing
with RegistryError."""

from __future__ import annotations

from functools import partial

from pkgtrace import fetch
from pkgtrace.ecosystems.interface import RegistryError

get_json = partial(fetch.get_json, error=RegistryError)
download = partial(fetch.download, error=RegistryError)
