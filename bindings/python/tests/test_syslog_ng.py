"""The syslog-ng parser class outside syslog-ng, on a stand-in for its LogMessage (a mapping of
name-value pairs holding bytes, as syslog-ng 3.x hands them over). The same class runs inside
real syslog-ng daemons in tests/syslog/run.sh."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Dict, Union

import pytest

from secretsift.integrations.syslog_ng import MARKER, Redact
from conftest import AWS_KEY, STRIPE_KEY

Value = Union[bytes, str]


class LogMessage(Dict[str, Value]):
    """Like syslog-ng's: unset names read as empty bytes."""

    def __missing__(self, key: str) -> bytes:
        return b""


def parser(**options: str) -> Redact:
    p = Redact()
    assert p.init(options) is True
    return p


def test_message_and_named_fields_are_redacted_in_place() -> None:
    p = parser(fields="MESSAGE, .json.token")
    msg = LogMessage(
        MESSAGE=f"deploy key={AWS_KEY} ok".encode(),
        HOST=f"{AWS_KEY}".encode(),  # not configured: left alone
        **{".json.token": STRIPE_KEY.encode()},
    )
    assert p.parse(msg) is True
    assert msg["MESSAGE"] == b"deploy key=[REDACTED:aws-access-key-id] ok"
    assert msg[".json.token"] == b"[REDACTED:stripe-secret-key-live]"
    assert msg["HOST"] == AWS_KEY.encode()
    assert (p.messages, p.redacted, p.failed) == (1, 1, 0)


def test_every_other_byte_is_kept_including_invalid_utf8_and_newlines() -> None:
    p = parser()
    raw = b"line1 \xff\xfe\n\tline2 key=" + AWS_KEY.encode() + b" \xc3\x28 end"
    msg = LogMessage(MESSAGE=raw)
    p.parse(msg)
    assert msg["MESSAGE"] == raw.replace(AWS_KEY.encode(), b"[REDACTED:aws-access-key-id]")
    clean = LogMessage(MESSAGE=b"nothing \xff here")
    p.parse(clean)
    assert clean["MESSAGE"] == b"nothing \xff here"
    assert (p.messages, p.redacted, p.failed) == (2, 1, 0)


def test_str_values_as_syslog_ng_4_hands_them_over() -> None:
    p = parser()
    msg = LogMessage(MESSAGE=f"région key={AWS_KEY}")
    p.parse(msg)
    assert msg["MESSAGE"] == "région key=[REDACTED:aws-access-key-id]"


def test_over_long_value_passes_through_marked_and_counted(tmp_path: Path) -> None:
    stats = tmp_path / "stats.txt"
    p = parser(max_bytes="64", stats_file=str(stats))
    long = b"x" * 65 + b" key=" + AWS_KEY.encode()
    msgs = [LogMessage(MESSAGE=long), LogMessage(MESSAGE=b"short " + AWS_KEY.encode())]
    assert all(p.parse(m) is True for m in msgs)  # never dropped
    assert msgs[0]["MESSAGE"] == MARKER.encode() + long
    assert msgs[1]["MESSAGE"] == b"short [REDACTED:aws-access-key-id]"
    assert (p.messages, p.redacted, p.failed) == (2, 1, 1)
    p.deinit()
    assert stats.read_text().endswith("2 message(s), 1 redacted, 1 failed (passed through with the marker)\n")


def test_an_error_while_redacting_marks_the_message_and_is_counted_once_each() -> None:
    class Failing(Redact):
        def redact_value(self, value: Value) -> Value:
            if b"FAIL" in (value if isinstance(value, bytes) else value.encode()):
                raise RuntimeError("injected")
            return super().redact_value(value)

    p = Failing()
    assert p.init({})
    msgs = [LogMessage(MESSAGE=b"please FAIL here"), LogMessage(MESSAGE=b"fine")]
    for m in msgs:
        assert p.parse(m) is True
    assert msgs[0]["MESSAGE"] == MARKER.encode() + b"please FAIL here"
    assert msgs[1]["MESSAGE"] == b"fine"
    assert (p.messages, p.failed) == (2, 1)


def test_bad_options_refuse_the_configuration() -> None:
    for options in ({"fieldz": "MESSAGE"}, {"fields": " , "}, {"max_bytes": "many"},
                    {"max_bytes": "-1"}, {"rules": "/nonexistent/rules.toml"}):
        assert Redact().init(options) is False, options


def test_options_arrive_as_syslog_ng_passes_them() -> None:
    # syslog-ng 3.x passes option names and values as str; bytes are accepted too.
    p = Redact()
    assert p.init({b"fields": b"MSG", "max_bytes": "10"})
    assert p.fields == ("MSG",) and p.max_bytes == 10


def test_one_parser_from_many_threads_counts_every_message() -> None:
    p = parser()
    n_threads, per = 8, 200

    def work() -> None:
        for i in range(per):
            m = LogMessage(MESSAGE=f"{i} key={AWS_KEY}".encode())
            p.parse(m)
            assert m["MESSAGE"] == f"{i} key=[REDACTED:aws-access-key-id]".encode()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (p.messages, p.redacted, p.failed) == (n_threads * per, n_threads * per, 0)


def test_the_engine_is_built_once_per_process() -> None:
    a, b = parser(), parser()
    assert a.engine is not None and a.engine is b.engine


@pytest.mark.parametrize("value", [b"", None])
def test_unset_fields_are_skipped(value: object) -> None:
    p = parser(fields="MESSAGE,MISSING")
    msg = LogMessage(MESSAGE=b"hello")
    if value is None:
        msg.pop("MESSAGE")
    else:
        msg["MESSAGE"] = b""
    assert p.parse(msg) is True
    assert (p.messages, p.failed) == (1, 0)
