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
from pkgtrace.api.network import Answer, NetworkEvent, ProxyDecision, TlsHandshake

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


def tls_outcome(tls: TlsHandshake | None) -> str:
    if tls is None:
        return ""
    if tls.intercepted:
        return "intercepted"
    refused = tls.refused or ""
    if "refused the certificate" in refused:
        return f"refused by the client: pinned certificate or its own roots ({refused})"
    return refused or "not intercepted"


def _answer(a: Answer | None) -> str:
    if a is None:
        return ""
    by = {"proxy": "by the proxy", "registry": "by the registry", "simulator": "by the simulator"}.get(
        str(a.by), f"by {a.by}")
    return f"{a.status} {a.kind or ''}, {by} ({a.length or 0} bytes)".replace(" ,", ",")


def story(e: NetworkEvent) -> Story:
    """The story of one simulator "tcp" event, as stored in the report."""
    tls, http, proxy = e.tls, e.http, e.proxy or ProxyDecision()
    said = proxy.decision or ""
    forwarded = said == "forwarded" and e.allowed and not proxy.unconfirmed
    decision, reason = said, proxy.reason or ""
    if said == "forwarded" and not forwarded:
        decision = "not confirmed"
        reason = proxy.unconfirmed or "the proxy's log does not confirm forwarding it"
    elif said not in ("", "forwarded", "refused"):
        decision = "refused"  # anything but the two known words is not forwarding
    answer = e.answer if isinstance(e.answer, Answer) else None
    return Story(name=e.hostname, address=f"{e.dst}:{e.port}", tls=tls is not None,
                 sni=tls.sni if tls else None, tls_outcome=tls_outcome(tls),
                 request=f"{http.method} {str(http.target)[:2048]} {http.version or ''}".strip() if http else None,
                 host=http.host if http else None,
                 headers=[(k, v[:HEADER_VALUE_SHOWN]) for k, v in http.headers[:HEADERS_SHOWN]] if http else [],
                 body=b64_text(http.body_b64, BODY_SHOWN) if http
                 else b64_text(e.first_bytes_b64, 512) if not tls else "",
                 body_length=http.body_length or 0 if http else 0,
                 answer=_answer(answer), answered_by=answer.by or "" if answer else "",
                 decision=decision, reason=reason,
                 forwarded=forwarded, cache=proxy.cache if forwarded else None, write=proxy.write)
