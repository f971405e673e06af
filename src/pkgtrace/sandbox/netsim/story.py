"""How one captured connection reads, wherever it is shown (the release page, the diff, the CLI):
the name asked for, the address dialled, how TLS went, the request, what pkgtrace answered and
what the registry proxy decided.

"Forwarded" is said only when the simulator recorded the proxy forwarding the request *and* the
event is still marked allowed after network.confirm_forwarded checked it against the host-side
proxy's own log. Nothing else (a registry's name with a trailing dot, another case, an address
for SNI, a Host that is not the SNI, a name on a plain-HTTP request) reads as forwarded, however
much it looks like a registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pkgtrace.api.base import b64_text

BODY_SHOWN = 1000
HEADERS_SHOWN = 32
HEADER_VALUE_SHOWN = 200


@dataclass(frozen=True)
class Story:
    name: str | None          # the name the package looked up (DNS) for the address it dialled
    address: str              # address:port
    tls: bool
    sni: str | None
    tls_outcome: str          # "intercepted" | "refused by the client (…)" | "handshake failed (…)" | ""
    request: str | None       # "METHOD target HTTP/1.1"
    host: str | None          # the Host header as sent
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    body_length: int = 0
    answer: str = ""          # what pkgtrace answered: "403 refused, by the proxy"
    answered_by: str = ""     # "proxy" | "registry" | "simulator"
    decision: str = ""        # "forwarded" | "refused" | "not confirmed" | "" (no registry involved)
    reason: str = ""
    forwarded: bool = False
    cache: str | None = None
    write: bool = False

    @property
    def verdict(self) -> str:
        """The proxy column in a word or two: who stopped it, or that it went out."""
        if self.forwarded:
            return "forwarded"
        if self.decision == "refused":
            return "refused" if self.answered_by == "proxy" else "not forwarded"
        return self.decision

    @property
    def outcome(self) -> str:
        """One line a person reads first: where the request went."""
        if self.forwarded:
            return "forwarded to the registry" + (f" (cache {self.cache})" if self.cache else "")
        if self.decision == "refused" and self.answered_by == "proxy":
            return f"refused by the proxy: {self.reason}" if self.reason else "refused by the proxy"
        if self.decision == "refused":  # kept from the proxy altogether, or the proxy was unreachable
            by = "; answered by the simulator" if self.answered_by == "simulator" else ""
            return f"not forwarded: {self.reason}{by}"
        if self.decision == "not confirmed":
            return f"not forwarded: {self.reason}"
        if self.tls and self.tls_outcome != "intercepted":
            return f"TLS {self.tls_outcome}" if self.tls_outcome else "TLS not intercepted"
        return "answered by the simulator, nothing left the machine"


def _dict(v) -> dict:
    return v if isinstance(v, dict) else {}


def tls_outcome(tls: dict) -> str:
    if not tls:
        return ""
    if tls.get("intercepted"):
        return "intercepted"
    refused = str(tls.get("refused") or "")
    if "refused the certificate" in refused:
        return f"refused by the client: pinned certificate or its own roots ({refused})"
    return refused or "not intercepted"


def _answer(a: dict) -> str:
    if not a:
        return ""
    by = {"proxy": "by the proxy", "registry": "by the registry", "simulator": "by the simulator"}.get(
        str(a.get("by")), f"by {a.get('by')}")
    return f"{a.get('status')} {a.get('kind') or ''}, {by} ({a.get('length', 0)} bytes)".replace(" ,", ",")


def story(e: dict) -> Story:
    """The story of one simulator "tcp" event, as stored in the report."""
    tls, http, proxy = _dict(e.get("tls")), _dict(e.get("http")), _dict(e.get("proxy"))
    said = str(proxy.get("decision") or "")
    forwarded = said == "forwarded" and e.get("allowed") is True and not proxy.get("unconfirmed")
    decision, reason = said, str(proxy.get("reason") or "")
    if said == "forwarded" and not forwarded:
        decision = "not confirmed"
        reason = str(proxy.get("unconfirmed") or "the proxy's log does not confirm forwarding it")
    elif said not in ("", "forwarded", "refused"):
        decision = "refused"  # anything but the two known words is not forwarding
    request = None
    if http:
        request = f"{http.get('method')} {str(http.get('target'))[:2048]} {http.get('version') or ''}".strip()
    headers = [(str(h[0]), str(h[1])[:HEADER_VALUE_SHOWN]) for h in http.get("headers") or []
               if isinstance(h, (list, tuple)) and len(h) == 2][:HEADERS_SHOWN]
    body = b64_text(http.get("body_b64"), BODY_SHOWN) if http else b64_text(e.get("first_bytes_b64"), 512) if not tls else ""
    return Story(name=e.get("hostname") if isinstance(e.get("hostname"), str) else None,
                 address=f"{e.get('dst')}:{e.get('port')}", tls=bool(tls),
                 sni=tls.get("sni") if isinstance(tls.get("sni"), str) else None,
                 tls_outcome=tls_outcome(tls), request=request,
                 host=http.get("host") if isinstance(http.get("host"), str) else None,
                 headers=headers, body=body,
                 body_length=http["body_length"] if isinstance(http.get("body_length"), int) else 0,
                 answer=_answer(_dict(e.get("answer"))), answered_by=str(_dict(e.get("answer")).get("by") or ""),
                 decision=decision, reason=reason,
                 forwarded=forwarded, cache=proxy.get("cache") if forwarded else None,
                 write=bool(proxy.get("write")))
