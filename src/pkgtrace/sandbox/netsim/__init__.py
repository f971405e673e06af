"""The network simulator: per-run namespaces, the in-namespace simulator, the host-side forwarder."""
