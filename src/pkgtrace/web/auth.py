"""API tokens: reading is public, submitting needs `Authorization: Bearer TOKEN`.

Only SHA-256 digests of the tokens are kept in memory, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="An API token the server was started with "
                                                  "(--token, --token-file or PKGTRACE_API_TOKENS).")


class TokenSet:
    def __init__(self, tokens: list[str]):
        self._digests = [hashlib.sha256(t.encode()).digest() for t in tokens if t]

    def __bool__(self) -> bool:
        return bool(self._digests)

    def check(self, token: str) -> bool:
        d = hashlib.sha256(token.encode()).digest()
        ok = False
        for known in self._digests:  # no early exit: every comparison costs the same
            ok |= hmac.compare_digest(d, known)
        return ok


def require_token(request: Request,
                  creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
    tokens: TokenSet = request.app.state.services.tokens
    challenge = {"WWW-Authenticate": "Bearer"}
    if not tokens:
        raise HTTPException(401, "submitting is disabled: this server was started without API tokens",
                            headers=challenge)
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(401, "an API token is required: send 'Authorization: Bearer TOKEN'", headers=challenge)
    if not tokens.check(creds.credentials):
        raise HTTPException(401, "invalid API token", headers=challenge)
    return "token"
