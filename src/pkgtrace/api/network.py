"""What the network simulator saw a sandboxed package do on the network.

Open models: the simulator and the registry proxy add observations (proxy decisions, TLS
details…) in parallel with this schema; extra keys are kept, known ones are typed.
"""

from __future__ import annotations

from pydantic import Field

from pkgtrace.api.base import Open


class TlsHandshake(Open):
    sni: str | None = Field(None, description="Server name the client asked for.")
    intercepted: bool = Field(False, description="The client accepted the run's CA: its traffic was read.")
    refused: str | None = Field(None, description="Why the simulator did not complete the handshake, if it did not.")


class HttpRequest(Open):
    method: str | None = Field(None, description="Request method.")
    target: str | None = Field(None, description="Request target (path and query).")
    version: str | None = Field(None, description="HTTP version as sent.")
    host: str | None = Field(None, description="Host header.")
    headers: list[tuple[str, str]] = Field(default_factory=list, description="Headers as [name, value] pairs, in order.")
    body_b64: str | None = Field(None, description="Start of the body, base64.")
    body_length: int | None = Field(None, description="Length of the whole body, as received.")


class ProxyDecision(Open):
    decision: str | None = Field(None, description="forwarded or refused, by the registry proxy.")
    reason: str | None = Field(None, description="Why, for a person.")
    write: bool = Field(False, description="The request would have changed the registry (a publish).")
    unconfirmed: str | None = Field(None, description="Why a forwarding the proxy's own log does not show "
                                                      "is not believed.")
    cache: str | None = Field(None, description="forwarded: hit or miss in the run's download cache.")


class Answer(Open):
    status: int | None = Field(None, description="HTTP status pkgtrace answered with.")
    kind: str | None = Field(None, description="What the answer was: ok, refused, registry…")
    length: int | None = Field(None, description="Bytes of the answer's body.")
    by: str | None = Field(None, description="Who answered: proxy, registry or simulator.")


class DnsPacket(Open):
    raw_b64: str | None = Field(None, description="The query packet as sent, base64.")
    records: str | None = Field(None, description="Records it carried beyond its questions, as text.")


class NetworkEvent(Open):
    kind: str = Field(description="dns, tcp, udp, http, tls… as the simulator classified it.")
    hostname: str | None = Field(None, description="Name asked for (dns) or associated with the address.")
    dst: str | None = Field(None, description="Destination address.")
    port: int | None = Field(None, description="Destination port.")
    allowed: bool = Field(False, description="Passed through to a real registry.")
    first_bytes_b64: str | None = Field(None, description="First bytes the package sent, base64.")
    length: int | None = Field(None, description="udp: bytes of the datagram.")
    bytes_received: int | None = Field(None, description="tcp: bytes the package sent on the connection.")
    tls: TlsHandshake | None = Field(None, description="TLS handshake facts, if TLS.")
    http: HttpRequest | None = Field(None, description="First HTTP request, if HTTP.")
    proxy: ProxyDecision | None = Field(None, description="The registry proxy's decision, for a registry's host.")
    dns_tcp: bool = Field(False, description="tcp: a DNS query over TCP (reported as dns).")
    dns_queries: int | None = Field(None, description="dns_tcp: queries the connection carried.")
    qname: str | None = Field(None, description="dns: the name as sent, where its case differs.")
    qtype: str | None = Field(None, description="dns: query type.")
    transport: str | None = Field(None, description="dns: udp or tcp.")
    packet: DnsPacket | None = Field(None, description="dns: the packet, with its first question.")
    answer: Answer | str | None = Field(None, description="What pkgtrace answered: tcp, the response; dns, "
                                                          "the address given.")
