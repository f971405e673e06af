"""What the network simulator saw a sandboxed package do on the network.

Open models: the simulator and the registry proxy add observations (proxy decisions, TLS
details…) in parallel with this schema; extra keys are kept, known ones are typed.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pkgtrace.api.base import Open


class NetworkEvent(Open):
    kind: str = Field(description="dns, tcp, udp, http, tls… as the simulator classified it.")
    hostname: str | None = Field(None, description="Name asked for (dns) or associated with the address.")
    dst: str | None = Field(None, description="Destination address.")
    port: int | None = Field(None, description="Destination port.")
    tls: dict[str, Any] | None = Field(None, description="TLS handshake facts (sni, …), if TLS.")
    http: dict[str, Any] | None = Field(None, description="First HTTP request (method, target, headers…).")
