"""What the simulator says of a request it answers itself rather than passing it to the registry
proxy (the real server, on loopback): the policy's reason, one copy of it."""

from __future__ import annotations

from simharness import events, exchange, request, simulator
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.forwarder import Forwarder
from pkgtrace.sandbox.netsim.policy import REGISTRY_HOSTS_BY_ECOSYSTEM

PYPI = REGISTRY_HOSTS_BY_ECOSYSTEM["pypi"]


def test_another_ecosystems_registry_is_answered_here_and_says_why(tmp_path):
    # npm run by a PyPI package's calls (jupyterlab's builder) asks the npm registry: a package
    # manager's read, not a probe of an API, and not passed through in a PyPI run
    fwd = Forwarder(str(tmp_path / "proxy.sock"), PYPI)
    try:
        state = simulator(tmp_path, RunCA.mint(), fwd.path, PYPI)
        exchange(state, request("GET", "/playwright", "registry.npmjs.org"), "registry.npmjs.org")
        exchange(state, request("GET", "/-/whoami", "registry.npmjs.org"), "registry.npmjs.org")
        exchange(state, request("PUT", "/worm", "registry.npmjs.org", body=b"{}"), "registry.npmjs.org")
        evs = {e["http"]["target"]: e for e in events(state) if e.get("http")}
    finally:
        fwd.close()
    assert not fwd.log  # none of it reached the proxy
    read, whoami, put = evs["/playwright"], evs["/-/whoami"], evs["/worm"]
    assert not read["allowed"] and "another ecosystem's registry" in read["proxy"]["reason"]
    assert not read["proxy"]["write"]
    assert "is not a registry host of this run" in whoami["proxy"]["reason"]
    assert put["proxy"]["write"] and not put["allowed"]
