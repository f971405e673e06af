"""b64_text: how every reader shows a document's base64 field (Stdout, captured bodies)."""

from __future__ import annotations

import base64

from pkgtrace.api.base import b64_text


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_decodes_caps_and_replaces_what_is_not_utf8():
    assert b64_text(b64("héllo wörld".encode() * 50), 7) == "héllo w"
    assert b64_text(b64(b"ok \xff\xfe"), 100) == "ok \ufffd\ufffd"


def test_what_is_not_base64_reads_as_nothing():
    for value in (None, "", "!!not base64!!", "abc", 42, ["aGk="]):
        assert b64_text(value, 100) == ""


def test_a_huge_field_is_decoded_only_as_far_as_shown():
    # a capture of any size costs what is shown: the tail past the cap is never decoded
    assert b64_text(b64(b"A" * 64) + "%%%" * 1_000_000, 10) == "A" * 10
