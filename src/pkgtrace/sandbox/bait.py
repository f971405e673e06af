"""Bait planted fresh in every run: credentials a thief would take, each value unique to the run.

Any read of a bait path or any bait value seen in outgoing traffic is evidence, and since the
values are new each run, a match cannot be a coincidence or a leftover.
"""

from __future__ import annotations

import os
import secrets
import string
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from pkgtrace.sandbox import persona
from pkgtrace.sandbox.layout import GID, HOME, HOSTNAME, UID, USER

DAY = 86400


@dataclass
class Bait:
    files: dict[str, str | bytes] = field(default_factory=dict)  # guest path -> content
    # Ordinary files around the bait (a shell history, a git config): reading them is no evidence,
    # but a home without them is a sandbox's home.
    decor: dict[str, str] = field(default_factory=dict)
    ages: dict[str, float] = field(default_factory=dict)  # guest path -> seconds since last change
    env: dict[str, str] = field(default_factory=dict)
    persona_env: dict[str, str] = field(default_factory=dict)  # the Windows look (persona.py)
    # Distinctive values to look for in captured traffic: (what, value)
    secrets: list[tuple[str, str]] = field(default_factory=list)

    def write(self, root: Path) -> None:
        """Lay the files out under ROOT as they should appear under the guest's /: owned by the
        package user, private keys 0600, each dated as if it had been there for months."""
        now = time.time()
        for guest_path, content in {**self.decor, **self.files}.items():
            dest = root / guest_path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            else:
                dest.write_text(content)
            private = ("/.ssh/id_" in guest_path and not guest_path.endswith(".pub")) or guest_path.endswith(
                ("/credentials", "/.pypirc", "/.npmrc"))
            dest.chmod(0o600 if private else 0o644)
            age = self.ages.get(guest_path, 90 * DAY)
            os.utime(dest, (now - age / 3, now - age))
        home = root / HOME.lstrip("/")
        for d in [home, *(p for p in home.rglob("*") if p.is_dir())]:
            d.chmod(0o700 if d.name in (".ssh", ".aws") else 0o755)
            os.utime(d, (now - DAY, now - 30 * DAY))
        for p in [home, *home.rglob("*")]:
            os.chown(p, UID, GID)

    def public(self) -> dict:
        """For the report: where bait was, and the values (they are fake and single-use)."""
        return {"files": sorted(self.files), "env": sorted(self.env), "persona": self.persona_env,
                "values": [{"what": w, "value": v} for w, v in self.secrets]}


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _ssh_keys() -> tuple[str, str, str, str]:
    """Two distinct key pairs, as a developer who made an RSA key years ago and an ed25519 later
    would have: (rsa private, rsa public, ed25519 private, ed25519 public)."""
    out = []
    for key in (rsa.generate_private_key(public_exponent=65537, key_size=2048),
                ed25519.Ed25519PrivateKey.generate()):
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                    serialization.NoEncryption()).decode()
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
        out += [private, f"{public} {USER}@{HOSTNAME}\n"]
    return out[0], out[1], out[2], out[3]


def _distinct_line(pem: str) -> str:
    """40 characters of a key's body that belong to this key: the first body line is the format's
    header, the same for every OpenSSH key."""
    body = pem.strip().splitlines()[1:-1]
    return body[len(body) // 2][:40]


def _decor(gh_user: str) -> dict[str, str]:
    return {
        f"{HOME}/.gitconfig": f"[user]\n\tname = Alex Morgan\n\temail = {gh_user}@users.noreply.github.com\n"
                              "[pull]\n\trebase = true\n[init]\n\tdefaultBranch = main\n",
        f"{HOME}/.bash_history": ("cd ~/src/billing-api\ngit pull\npython -m pytest -q\n"
                                  "aws s3 ls s3://acme-billing-exports/\nssh deploy@10.20.1.14\n"
                                  "pip install -r requirements.txt\nnpm run build\ngit push origin main\n"),
        f"{HOME}/.ssh/known_hosts": "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
        f"{HOME}/.ssh/config": "Host prod-bastion\n    HostName 10.20.1.14\n    User deploy\n    IdentityFile ~/.ssh/id_ed25519\n",
        f"{HOME}/.aws/config": "[default]\nregion = us-east-1\noutput = json\n",
    }


def fresh() -> Bait:
    upper_digits = string.ascii_uppercase + string.digits
    alnum = string.ascii_letters + string.digits
    rsa_private, rsa_public, ed_private, ed_public = _ssh_keys()
    aws_id = "AKIA" + _rand(upper_digits, 16)
    aws_secret = _rand(alnum + "+/", 40)
    npm_token = "npm_" + _rand(alnum, 36)
    pypi_token = "pypi-AgEIcHlwaS5vcmc" + _rand(alnum, 48)
    gh_token = "ghp_" + _rand(alnum, 36)
    b = Bait()
    b.files = {
        f"{HOME}/.ssh/id_ed25519": ed_private,
        f"{HOME}/.ssh/id_ed25519.pub": ed_public,
        f"{HOME}/.ssh/id_rsa": rsa_private,  # the name most stealers look for first
        f"{HOME}/.ssh/id_rsa.pub": rsa_public,
        f"{HOME}/.aws/credentials": (f"[default]\naws_access_key_id = {aws_id}\n"
                                      f"aws_secret_access_key = {aws_secret}\n"),
        # Scoped to another registry on purpose: a bogus token for registry.npmjs.org would
        # make the real install fail with E401.
        f"{HOME}/.npmrc": f"//npm.pkg.github.com/:_authToken={npm_token}\n",
        f"{HOME}/.pypirc": (f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\n"
                            f"password = {pypi_token}\n"),
    }
    b.decor = _decor("alexm-" + _rand(string.digits, 4))
    # Plausible, varied ages: keys made long ago, tokens rotated more recently.
    b.ages = {path: secrets.randbelow(300 * DAY) + (400 * DAY if "/id_rsa" in path else 20 * DAY)
              for path in [*b.files, *b.decor]}
    b.env = {"AWS_ACCESS_KEY_ID": aws_id, "AWS_SECRET_ACCESS_KEY": aws_secret,
             "GITHUB_TOKEN": gh_token, "NPM_TOKEN": npm_token}
    b.secrets = [("aws_access_key_id", aws_id), ("aws_secret_access_key", aws_secret),
                 ("npm_token", npm_token), ("pypi_token", pypi_token), ("github_token", gh_token),
                 ("ssh_private_key", _distinct_line(ed_private)),
                 ("ssh_rsa_private_key", _distinct_line(rsa_private))]
    b.persona_env = persona.plant(b.files, b.env, b.secrets, HOME, USER)
    return b
