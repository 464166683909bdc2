"""Runs real syslog daemons with the secretsift filter on 127.0.0.1, for the end-to-end test
(tests/syslog/e2e.py) and the benchmark (benches/syslog/bench.py).

Each run writes a config into a fresh temporary folder (own pid file, persist/state files and
work directory; no system socket, no privileged port), starts the daemon in the foreground,
sends messages over one TCP connection with RFC 6587 octet counting (so multi-line messages
stay whole), waits until the output file stops growing, stops the daemon with SIGTERM and
returns what it wrote. Each output record ends with RECORD_END, so multi-line messages can be
told apart.

Fake keys are built here from parts, at run time, with random bodies: the repository must scan
clean under its own scanner.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

RECORD_END = b"|END|\n"
MARKER = b"[secretsift: redaction failed] "
# Messages longer than this are passed through unscanned (the filter's injected failure).
MAX_MESSAGE = 4096

_UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_B64 = _ALNUM + "+/"
_WORDS = (
    "worker started job done request served cache warm queue drained upload ok retry "
    "scheduled connection reset by peer shard rebalanced compaction finished user login "
    "session renewed health check passed disk usage normal latency p99 steady"
).split()


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# The engine takes a value holding one of these (any case) for documentation, not a secret
# (engine/src/placeholder.rs); a random body can spell one ("...FdUmmy..."), so such draws are
# redrawn: this corpus is about the daemons, not about that filter.
_PLACEHOLDER_WORDS = ("example", "dummy", "fake", "your", "redacted", "insert", "changeme",
                      "change_me", "replace", "placeholder", "notasecret", "xxxxxx")


def _real_looking(make: Callable[[random.Random], str]) -> Callable[[random.Random], str]:
    def draw(r: random.Random) -> str:
        while True:
            key = make(r)
            if not any(w in key.lower() for w in _PLACEHOLDER_WORDS):
                return key

    return draw


# Each kind: (rule id the engine reports, maker). Prefixes are split so no literal key exists.
KEY_KINDS: Dict[str, Callable[[random.Random], str]] = {
    "aws-access-key-id": lambda r: "AK" + "IA" + _pick(r, _UPPER32, 16),
    "stripe-secret-key-live": lambda r: "sk_" + "live_" + _pick(r, _ALNUM, 24),
    "slack-bot-token": lambda r: "xox" + "b-" + _pick(r, "0123456789", 12) + "-"
    + _pick(r, "0123456789", 13) + "-" + _pick(r, _ALNUM, 24),
    "google-api-key": lambda r: "AI" + "za" + _pick(r, _ALNUM + "_-", 35),
}
PEM_RULE = "private-key-pem"


def _pem_key(r: random.Random) -> str:
    body = "\n".join(_pick(r, _B64, 64) for _ in range(5))
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


KEY_KINDS = {rule: _real_looking(make) for rule, make in KEY_KINDS.items()}
pem_key = _real_looking(_pem_key)


@dataclass
class Message:
    """One syslog message: its body as parts, literal bytes and (rule id, key) pairs."""

    seq: int
    parts: List[Union[bytes, Tuple[str, bytes]]]
    fails: bool = False  # over MAX_MESSAGE: the filter passes it through with MARKER

    @property
    def body(self) -> bytes:
        return b"".join(p if isinstance(p, bytes) else p[1] for p in self.parts)

    @property
    def keys(self) -> List[bytes]:
        return [p[1] for p in self.parts if not isinstance(p, bytes)]

    def expected(self, per_message: bool = True) -> bytes:
        """What the daemon writes after the filter: each key replaced, every other byte kept.
        A filter that runs per message fails the over-long ones (``per_message``)."""
        if self.fails and per_message:
            return MARKER + self.body
        out = b""
        for p in self.parts:
            if isinstance(p, bytes):
                out += p
            else:
                out += b"[REDACTED:" + p[0].encode() + b"]"
        return out

    def frame(self) -> bytes:
        msg = b"<134>1 2026-11-28T04:00:00.000000Z host-a app " + str(1000 + self.seq % 97).encode()
        msg += b" - - " + self.body
        return str(len(msg)).encode() + b" " + msg


@dataclass
class Corpus:
    messages: List[Message]
    counts: Dict[str, int] = field(default_factory=dict)

    @property
    def stream(self) -> bytes:
        return b"".join(m.frame() for m in self.messages)

    @property
    def keys(self) -> List[bytes]:
        return [k for m in self.messages for k in m.keys]


def make_corpus(n: int, seed: int = 10, failing: int = 5, key_every: int = 3) -> Corpus:
    """``n`` messages: one in ``key_every`` holds fake keys (several kinds, some two per
    message; half of those that are also multi-line hold a PEM private key across their lines),
    one in 8 is multi-line, one in 10 has bytes that are not UTF-8, some have other scripts;
    ``failing`` of them are longer than MAX_MESSAGE (and hold no key)."""
    rng = random.Random(seed)
    counts = {"messages": n, "with_keys": 0, "keys": 0, "multi_line": 0, "invalid_utf8": 0,
              "pem": 0, "failing": 0}
    fail_at = set(rng.sample(range(n), failing)) if failing else set()
    msgs: List[Message] = []
    for i in range(n):
        head = f"seq={i:07d} ".encode()
        if i in fail_at:
            filler = " ".join(rng.choice(_WORDS) for _ in range(MAX_MESSAGE // 4)).encode()
            msgs.append(Message(i, [head + filler[: MAX_MESSAGE + 500]], fails=True))
            counts["failing"] += 1
            continue
        parts: List[Union[bytes, Tuple[str, bytes]]] = [head]

        def words(k: int) -> bytes:
            return " ".join(rng.choice(_WORDS) for _ in range(k)).encode()

        parts.append(words(rng.randint(2, 8)))
        if rng.random() < 0.1:
            parts.append(rng.choice([b" \xff\xfe raw", b" bad \xc3\x28 seq", b" \x80\x81 cont",
                                     b" trunc \xe2\x82"]))
            counts["invalid_utf8"] += 1
        if rng.random() < 0.05:
            parts.append(" région=Zürich 東京 ✓".encode())
        if i % key_every == 0:
            for _ in range(2 if rng.random() < 0.2 else 1):
                rule = rng.choice(sorted(KEY_KINDS))
                parts.append(rng.choice([b" key=", b" token: ", b" auth ", b" cred='"]))
                parts.append((rule, KEY_KINDS[rule](rng).encode()))
                parts.append(b" " + words(rng.randint(1, 4)))
                counts["keys"] += 1
            counts["with_keys"] += 1
        if i % 8 == 4:
            for _ in range(rng.randint(1, 3)):
                parts.append(b"\n  at " + words(rng.randint(1, 5)))
            if i % key_every == 0 and rng.random() < 0.5:
                parts.append(b"\n")
                parts.append((PEM_RULE, pem_key(rng).encode()))
                parts.append(b"\nend of dump")
                counts["keys"] += 1
                counts["pem"] += 1
            counts["multi_line"] += 1
        msgs.append(Message(i, parts))
    return Corpus(msgs, counts)


# ---------------------------------------------------------------------------------------------
# Daemons


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def syslog_ng_version() -> str:
    out = subprocess.run(["syslog-ng", "--version"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"\((\d+\.\d+)", out)
    if not m:
        raise RuntimeError(f"cannot read the syslog-ng version from: {out[:200]!r}")
    return m.group(1)


@dataclass
class Daemon:
    name: str
    argv: List[str]
    folder: Path
    port: int
    # A process started before the daemon and ended by it (the filter reading a named pipe the
    # daemon writes to: it sees end of input when the daemon closes the pipe).
    companion: Optional[List[str]] = None

    @property
    def out(self) -> Path:
        return self.folder / "out.log"

    @property
    def stats(self) -> Path:
        return self.folder / "stats.txt"


def syslog_ng(folder: Path, pylib: Optional[Path], filtered: bool,
              parser_class: str = "secretsift.integrations.syslog_ng.Redact",
              extra_path: Optional[Path] = None) -> Daemon:
    """syslog-ng with (or without) the secretsift python() parser (or another parser class,
    found on ``extra_path``, for the benchmark's reference rows)."""
    port = free_port()
    conf = folder / "syslog-ng.conf"
    python_block = parser = ""
    if filtered:
        assert pylib is not None
        paths = "".join(f'sys.path.insert(0, "{p}")\n' for p in (pylib, extra_path) if p)
        python_block = f"python {{\nimport sys\n{paths}}};\n"
        parser = (
            f'parser p_secretsift {{ python(class("{parser_class}") '
            f'options("max_bytes" "{MAX_MESSAGE}" "stats_file" "{folder}/stats.txt")); }};\n'
        )
    conf.write_text(
        f"@version: {syslog_ng_version()}\n"
        "options { stats-freq(0); keep-hostname(yes); log-msg-size(65536); };\n"
        + python_block
        + f'source s_net {{ syslog(ip("127.0.0.1") port({port}) transport("tcp") log-iw-size(20000)); }};\n'
        + parser
        + f'destination d_file {{ file("{folder}/out.log" template("${{MESSAGE}}|END|\\n")); }};\n'
        + "log { source(s_net); "
        + ("parser(p_secretsift); " if filtered else "")
        + "destination(d_file); flags(flow-control); };\n"
    )
    return _syslog_ng_daemon(folder, conf, port)


def rsyslog(folder: Path, rsyslogd: str, modules: Optional[str], cli: Optional[Path],
            filtered: bool, extra_args: str = "") -> Daemon:
    """rsyslog with (or without) `secretsift redact --rsyslog fulljson` as an mmexternal action."""
    port = free_port()
    action = ""
    if filtered:
        assert cli is not None
        # mmexternal splits `binary` on spaces into argv and runs it with an empty environment.
        binary = (f"{cli} redact --no-config --rsyslog fulljson --max-message {MAX_MESSAGE} "
                  f"--stats {folder}/stats.txt {extra_args}").rstrip()
        action = (f'  action(type="mmexternal" binary="{binary}" interface.input="fulljson")\n')
    return _rsyslog_daemon(
        folder, rsyslogd, modules, port, "mmexternal" if filtered else None,
        action + f'  action(type="omfile" file="{folder}/out.log" template="msgonly")\n')


def syslog_ng_pipe(folder: Path, command: str) -> Daemon:
    """syslog-ng whose file destination is replaced by a program() destination: the stream of
    messages piped through ``command`` (`secretsift redact`, text mode; or `cat`
    as the reference), which appends to the output file. The "last hop" set-up: no call per
    message."""
    return _syslog_ng_to(folder, f'program("exec {command} >> {folder}/out.log"')


def _syslog_ng_to(folder: Path, driver: str) -> Daemon:
    """syslog-ng with one destination, ``driver`` (a destination driver up to its options,
    such as ``program("...")``), writing each message as one output record."""
    port = free_port()
    conf = folder / "syslog-ng.conf"
    conf.write_text(
        f"@version: {syslog_ng_version()}\n"
        "options { stats-freq(0); keep-hostname(yes); log-msg-size(65536); };\n"
        f'source s_net {{ syslog(ip("127.0.0.1") port({port}) transport("tcp") log-iw-size(20000)); }};\n'
        f'destination d_out {{ {driver} template("${{MESSAGE}}|END|\\n")); }};\n'
        "log { source(s_net); destination(d_out); flags(flow-control); };\n"
    )
    return _syslog_ng_daemon(folder, conf, port)


def rsyslog_pipe(folder: Path, rsyslogd: str, modules: Optional[str], command: str) -> Daemon:
    """rsyslog with an omprog action instead of omfile: the message stream piped through
    ``command`` (`secretsift redact`, text mode; or `cat` as the reference), whose output omprog
    writes to the output file. The "last hop" set-up: no round trip per message."""
    port = free_port()
    return _rsyslog_daemon(
        folder, rsyslogd, modules, port, "omprog",
        f'  action(type="omprog" binary="{command}" template="msgonly"\n'
        f'         output="{folder}/out.log")\n')


def fifo_filter(folder: Path, command: str) -> Tuple[Path, List[str]]:
    """A named pipe in ``folder`` and the companion that runs ``command`` (`secretsift
    redact`, or `cat` as the reference) from it into the output file."""
    fifo = folder / "out.fifo"
    os.mkfifo(fifo)
    return fifo, ["/bin/sh", "-c", f"exec {command} < {fifo} >> {folder}/out.log"]


def syslog_ng_fifo(folder: Path, command: str) -> Daemon:
    """syslog-ng writing its stream into a named pipe (a pipe() destination, where the plain
    set-up has file()), read by ``command``, which appends to the output file: the "last hop"
    set-up. The daemon does the same work as without a filter; the filter runs beside it."""
    fifo, companion = fifo_filter(folder, command)
    d = _syslog_ng_to(folder, f'pipe("{fifo}"')
    d.companion = companion
    return d


def rsyslog_fifo(folder: Path, rsyslogd: str, modules: Optional[str], command: str) -> Daemon:
    """rsyslog whose omfile action writes into a named pipe instead of a file, read by
    ``command``, which appends to the output file: the "last hop" set-up, with the daemon doing
    exactly the work of the set-up without a filter."""
    port = free_port()
    fifo, companion = fifo_filter(folder, command)
    d = _rsyslog_daemon(
        folder, rsyslogd, modules, port, None,
        f'  action(type="omfile" file="{fifo}" template="msgonly")\n')
    d.companion = companion
    return d


def _syslog_ng_daemon(folder: Path, conf: Path, port: int) -> Daemon:
    """syslog-ng in the foreground on `conf`, with its state files in `folder`."""
    argv = ["syslog-ng", "-F", "-e", "--no-caps", "-f", str(conf),
            f"--persist-file={folder}/syslog-ng.persist", f"--pidfile={folder}/syslog-ng.pid",
            f"--control={folder}/syslog-ng.ctl"]
    return Daemon("syslog-ng", argv, folder, port)


def _rsyslog_daemon(folder: Path, rsyslogd: str, modules: Optional[str], port: int,
                    module: Optional[str], actions: str) -> Daemon:
    """rsyslog in the foreground: TCP input on 127.0.0.1:`port` into a ruleset running
    `actions` (which may use the `msgonly` template), loading `module` too if given."""
    work = folder / "work"
    work.mkdir()
    conf = folder / "rsyslog.conf"
    conf.write_text(
        f'global(workDirectory="{work}" maxMessageSize="64k"\n'
        '       parser.escapeControlCharactersOnReceive="off")\n'
        # One worker keeps the messages in order (a second one, which rsyslog starts under
        # load, runs its own filter process on its own batches).
        'main_queue(queue.workerThreads="1")\n'
        'module(load="imtcp")\n'
        + (f'module(load="{module}")\n' if module else "")
        + f'input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="r")\n'
        'template(name="msgonly" type="string" string="%msg%|END|\\n")\n'
        'ruleset(name="r") {\n'
        + actions
        + "}\n"
    )
    argv = [rsyslogd, "-n", "-f", str(conf), "-i", str(folder / "rsyslogd.pid")]
    if modules:
        argv += ["-M", modules]
    return Daemon("rsyslog", argv, folder, port)


@dataclass
class Result:
    records: List[bytes]
    seconds: float  # from the first byte sent to the last record written
    stats: str
    stderr: str


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def expected_size(corpus: Corpus, filtered: bool, per_message: bool = True) -> int:
    """Bytes the daemon writes for ``corpus``, with or without the filter."""
    return sum(len(m.expected(per_message) if filtered else m.body) + len(RECORD_END)
               for m in corpus.messages)


WARMUP = Message(-1, [b"warm-up message"])


def run(daemon: Daemon, stream: bytes, expect_bytes: int, timeout: float = 120.0,
        warmup: bool = False) -> Result:
    """Starts the daemon, sends ``stream``, waits until it has written ``expect_bytes`` (or its
    output stops growing), stops the daemon and returns what it wrote. Only the output's size
    is polled, so the waiting costs the daemon no CPU to speak of.

    With ``warmup``, one message (WARMUP, written first) goes through before the clock starts,
    so filter programs have started and built their engine: the time is the steady state."""
    err_path = daemon.folder / "daemon.stderr"
    companion = None
    if daemon.companion:
        with open(daemon.folder / "companion.stderr", "wb") as err:
            companion = subprocess.Popen(daemon.companion, stdin=subprocess.DEVNULL, stderr=err,
                                         start_new_session=True)
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(daemon.argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                start_new_session=True)
    try:
        sock = None
        deadline = time.monotonic() + 30
        while sock is None:
            if proc.poll() is not None:
                raise RuntimeError(f"{daemon.name} exited with {proc.returncode}:\n"
                                   + err_path.read_text(errors="replace")[-3000:])
            try:
                sock = socket.create_connection(("127.0.0.1", daemon.port), timeout=5)
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{daemon.name} did not listen on port {daemon.port}")
                time.sleep(0.05)
        with sock:
            sock.settimeout(timeout)
            if warmup:
                sock.sendall(WARMUP.frame())
                deadline = time.monotonic() + 60
                while _size(daemon.out) < len(WARMUP.body) + len(RECORD_END):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{daemon.name}: the warm-up message never came out")
                    time.sleep(0.005)
                expect_bytes += _size(daemon.out)
            t0 = time.monotonic()
            sock.sendall(stream)
        # Done when every record is there; or give up once the output has not grown for a while.
        last, last_change, t_end = -1, time.monotonic(), None
        while True:
            n = _size(daemon.out)
            now = time.monotonic()
            if n != last:
                last, last_change, t_end = n, now, now
            if n >= expect_bytes or now - last_change > 10 or now - t0 > timeout:
                break
            time.sleep(0.005)
        seconds = (t_end or time.monotonic()) - t0
    finally:
        stop(proc)
        if companion is not None:
            # It sees end of input once the daemon has closed the pipe, and ends by itself.
            try:
                companion.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stop(companion)
    data = daemon.out.read_bytes() if daemon.out.exists() else b""
    records = data.split(RECORD_END)
    if records and records[-1] == b"":
        records.pop()
    stats = daemon.stats.read_text() if daemon.stats.exists() else ""
    return Result(records, seconds, stats, err_path.read_text(errors="replace"))


def stop(proc: "subprocess.Popen[bytes]") -> None:
    """SIGTERM to the daemon only, then wait for its whole process group: filter programs it
    started see end of input when it exits, and write their counts before they end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)  # anything left in the daemon's session?
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stats_totals(stats: str) -> Tuple[int, int]:
    """(messages, failed) summed over the stats lines of every filter process or parser."""
    messages = sum(int(x) for x in re.findall(r"(\d+) message\(s\)", stats))
    failed = sum(int(x) for x in re.findall(r"(\d+) failed", stats))
    return messages, failed


def temp_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
