"""The records folder's reader: what a cut-short, oversized or hostile record gives."""

import pytest

from pkgtrace.dynamic.records import RecordError, read_record


def test_a_record_is_read_as_an_object(tmp_path):
    (tmp_path / "r.json").write_text('{"steps": [1, 2]}')
    assert read_record(tmp_path / "r.json", 1 << 10) == {"steps": [1, 2]}


@pytest.mark.parametrize("content, why", [
    (None, "missing"),
    (b'{"a": "' + b"x" * 2000 + b'"}', "too large"),  # read no further than the limit
    (b'{"a": 1', "unreadable"),                        # cut short
    (b"[1, 2]", "unreadable"),                          # not an object
    (b"\xff\xfe", "unreadable"),
])
def test_a_bad_record_says_why(tmp_path, content, why):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordError, match=why):
        read_record(path, 1 << 10)
