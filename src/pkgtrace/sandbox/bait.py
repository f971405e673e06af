"""Bait planted fresh in every run: credentials a thief would take, each value unique to the run.

Any read of a bait path or any bait value seen in outgoing traffic is evidence, and since the
values are new each run, a match cannot be a coincidence or a leftover.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from pkgtrace.sandbox import persona

HOME = "/root"


@dataclass
class Bait:
    files: dict[str, str | bytes] = field(default_factory=dict)  # guest path -> content
    env: dict[str, str] = field(default_factory=dict)
    persona_env: dict[str, str] = field(default_factory=dict)  # the Windows look (persona.py)
    # Distinctive values to look for in captured traffic: (what, value)
    secrets: list[tuple[str, str]] = field(default_factory=list)

    def write(self, root: Path) -> None:
        """Lay the files out under ROOT as they should appear under the guest's /."""
        for guest_path, content in self.files.items():
            dest = root / guest_path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            else:
                dest.write_text(content)
            if "/.ssh/id_" in guest_path and not guest_path.endswith(".pub"):
                dest.chmod(0o600)

    def public(self) -> dict:
        """For the report: where bait was, and the values (they are fake and single-use)."""
        return {"files": sorted(self.files), "env": sorted(self.env), "persona": self.persona_env,
                "values": [{"what": w, "value": v} for w, v in self.secrets]}


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def fresh() -> Bait:
    upper_digits = string.ascii_uppercase + string.digits
    alnum = string.ascii_letters + string.digits
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    public += " deploy@build-01\n"
    aws_id = "AKIA" + _rand(upper_digits, 16)
    aws_secret = _rand(alnum + "+/", 40)
    npm_token = "npm_" + _rand(alnum, 36)
    pypi_token = "pypi-AgEIcHlwaS5vcmc" + _rand(alnum, 48)
    gh_token = "ghp_" + _rand(alnum, 36)
    b = Bait()
    b.files = {
        f"{HOME}/.ssh/id_ed25519": private,
        f"{HOME}/.ssh/id_ed25519.pub": public,
        f"{HOME}/.ssh/id_rsa": private,  # the name most stealers look for first
        f"{HOME}/.aws/credentials": (f"[default]\naws_access_key_id = {aws_id}\n"
                                      f"aws_secret_access_key = {aws_secret}\n"),
        # Scoped to another registry on purpose: a bogus token for registry.npmjs.org would
        # make the real install fail with E401.
        f"{HOME}/.npmrc": f"//npm.pkg.github.com/:_authToken={npm_token}\n",
        f"{HOME}/.pypirc": (f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\n"
                            f"password = {pypi_token}\n"),
    }
    b.env = {"AWS_ACCESS_KEY_ID": aws_id, "AWS_SECRET_ACCESS_KEY": aws_secret,
             "GITHUB_TOKEN": gh_token, "NPM_TOKEN": npm_token}
    b.secrets = [("aws_access_key_id", aws_id), ("aws_secret_access_key", aws_secret),
                 ("npm_token", npm_token), ("pypi_token", pypi_token), ("github_token", gh_token),
                 ("ssh_private_key", private.splitlines()[1][:40])]
    b.persona_env = persona.plant(b.files, b.env, b.secrets, HOME)
    return b
