"""P2PConnection: one v1 connection on loopback, outbound (connect) or inbound (listen/accept),
with a reader thread that deframes and decodes messages into a queue tests wait on."""

import random
import socket
import struct
import threading
import time

from .messages import (NODE_NETWORK, NODE_WITNESS, PROTOCOL_VERSION, MsgPing, MsgPong, MsgSendAddrV2,
                       MsgVerack, MsgVersion, MsgWtxidRelay, NetAddr, decode_message)
from .serialize import (HEADER_SIZE, MAGIC, MAX_PROTOCOL_MESSAGE_LENGTH, DecodeError, checksum, parse_header,
                        ser_frame)

LOOPBACK = "127.0.0.1"


class P2PError(Exception):
    """A wait timed out, the connection closed, or the peer broke the protocol."""


class P2PConnection:
    """A connection speaking the v1 transport with its own serialization.

    Received messages go to a queue; wait_for(command, predicate) takes the first matching one.
    `ping` is answered with `pong` automatically (auto_pong). The peer's framing errors (bad magic,
    oversized length, bad checksum, undecodable payload) are recorded in `errors` and, for magic
    and length, end the connection, as Core does.
    """

    def __init__(self, network="regtest", magic=None, auto_pong=True, log=None):
        self.magic = magic if magic is not None else MAGIC[network]
        self.auto_pong = auto_pong
        self.sock = None
        self.listener = None
        self.errors = []            # strings describing what the peer sent wrong
        self.received = []          # every decoded message, in order (never consumed)
        self.peer_version = None
        self.peer_before_verack = []  # commands the peer sent between its version and its verack
        self.events = []            # ("send" | "recv", command) in the order they happened
        self._queue = []
        self._cond = threading.Condition()
        self._closed = False
        self.paused = False  # True: the reader thread stops reading the socket
        self._seen_verack = False
        self._thread = None
        self._send_lock = threading.Lock()
        self._ping_nonce = random.getrandbits(32) << 16
        self._log = log or (lambda s: None)

    # -- connection setup ---------------------------------------------------------------------

    def connect(self, port, host=LOOPBACK, timeout=10, source=None):
        """Outbound TCP connection to host:port (loopback only) and start the reader. source: a
        127.0.0.N address to connect from (so a test can ban one loopback address and not another)."""
        if host not in (LOOPBACK, "::1", "localhost"):
            raise ValueError("tests connect to loopback only")
        if source is not None and not source.startswith("127."):
            raise ValueError("tests connect from loopback only")
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self._start()
        return self

    def listen(self, port=0):
        """Bind 127.0.0.1:port (0: a free one) for a node's inbound connection; returns the port."""
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((LOOPBACK, port))
        self.listener.listen(1)
        return self.listener.getsockname()[1]

    def accept(self, timeout=30):
        """Wait for the node to connect to listen()'s port and start the reader."""
        self.listener.settimeout(timeout)
        try:
            self.sock, _ = self.listener.accept()
        except socket.timeout:
            raise P2PError("no inbound connection within %ss" % timeout)
        finally:
            self.listener.close()
            self.listener = None
        self._start()
        return self

    def _start(self):
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._read_loop, daemon=True)
        self._thread.start()

    def close(self):
        """Close the socket (idempotent) and join the reader."""
        for s in (self.sock, self.listener):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _read_loop(self):
        try:
            while True:
                while self.paused and not self._closed:
                    time.sleep(0.05)  # a peer that stops reading (hostile tests)
                raw = self._recv_exact(HEADER_SIZE)
                if raw is None:
                    break
                hdr = parse_header(raw)
                if hdr.magic != self.magic:
                    self._error("bad magic %s" % hdr.magic.hex())
                    break
                if hdr.length > MAX_PROTOCOL_MESSAGE_LENGTH:
                    self._error("oversized length %d for %r" % (hdr.length, hdr.command))
                    break
                payload = self._recv_exact(hdr.length)
                if payload is None:
                    break
                if checksum(payload) != hdr.checksum:
                    self._error("bad checksum on %r" % hdr.command)
                    continue
                if not hdr.command_ok:
                    self._error("malformed command %r" % hdr.command_raw)
                    continue
                try:
                    msg = decode_message(hdr.command, payload)
                except DecodeError as e:
                    self._error("undecodable %r: %s" % (hdr.command, e))
                    continue
                self._on_message(msg)
        except OSError:
            pass
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _error(self, what):
        self._log("p2p: peer error: " + what)
        with self._cond:
            self.errors.append(what)
            self._cond.notify_all()

    def _on_message(self, msg):
        if self.auto_pong and msg.command == "ping":
            try:
                self.send_message(MsgPong(msg.nonce))
            except OSError:
                pass
        with self._cond:
            if msg.command == "version" and self.peer_version is None:
                self.peer_version = msg
            elif msg.command == "verack":
                self._seen_verack = True
            elif self.peer_version is not None and not self._seen_verack:
                self.peer_before_verack.append(msg.command)
            self.received.append(msg)
            self.events.append(("recv", msg.command))
            self._queue.append(msg)
            self._cond.notify_all()

    def wait_for(self, command, predicate=None, timeout=10):
        """Take and return the first queued message with this command (and predicate(msg) true),
        waiting up to timeout seconds; P2PError on timeout or when the connection closed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, m in enumerate(self._queue):
                    if m.command == command and (predicate is None or predicate(m)):
                        del self._queue[i]
                        return m
                if self._closed:
                    raise P2PError("connection closed while waiting for %r" % command)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise P2PError("timed out after %ss waiting for %r (queued: %s)" %
                                   (timeout, command, [m.command for m in self._queue][-20:]))
                self._cond.wait(left)

    def wait_for_disconnect(self, timeout=10):
        """Wait until the peer closed the connection; P2PError if it is still open at timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise P2PError("still connected after %ss" % timeout)
                self._cond.wait(left)

    def is_connected(self):
        with self._cond:
            return not self._closed

    def drain(self):
        """Drop every queued (unconsumed) message; returns them."""
        with self._cond:
            q, self._queue = self._queue, []
            return q

    # -- writing ------------------------------------------------------------------------------

    def send_raw(self, data):
        """Send bytes as they are (hostile tests: bad magic, bad checksum, oversized length)."""
        with self._send_lock:
            self.sock.sendall(data)

    def frame(self, msg):
        """The v1 frame of a message object."""
        return ser_frame(self.magic, msg.command, msg.serialize())

    def send_message(self, msg):
        with self._cond:
            self.events.append(("send", msg.command))
        self.send_raw(self.frame(msg))

    # -- protocol helpers ---------------------------------------------------------------------

    def make_version(self, start_height=0, services=NODE_NETWORK | NODE_WITNESS, relay=True,
                     user_agent="/minicash-p2p-test:0.1/", version=PROTOCOL_VERSION):
        peer = self.sock.getpeername()
        return MsgVersion(version=version, services=services, timestamp=int(time.time()),
                          addr_recv=NetAddr(peer[0], peer[1], 0), addr_from=NetAddr("0.0.0.0", 0, services),
                          nonce=random.getrandbits(64), user_agent=user_agent, start_height=start_height,
                          relay=relay)

    def handshake(self, inbound=False, version_msg=None, wtxidrelay=True, sendaddrv2=True, timeout=10):
        """The version handshake. Outbound: send version first; inbound: wait for the node's
        version first. wtxidrelay (BIP-339) and sendaddrv2 (BIP-155) are sent after version and
        before verack, as those BIPs require. Returns the peer's version message."""
        if not inbound:
            self.send_message(version_msg or self.make_version())
        peer = self.wait_for("version", timeout=timeout)
        if inbound:
            self.send_message(version_msg or self.make_version())
        if wtxidrelay:
            self.send_message(MsgWtxidRelay())
        if sendaddrv2:
            self.send_message(MsgSendAddrV2())
        self.send_message(MsgVerack())
        self.wait_for("verack", timeout=timeout)
        return peer

    def ping(self):
        """Send a ping with a fresh nonce; returns the nonce."""
        self._ping_nonce += 1
        self.send_message(MsgPing(self._ping_nonce))
        return self._ping_nonce

    def sync_with_ping(self, timeout=10):
        """Ping and wait for the matching pong: the peer has processed everything sent before
        (for a peer that handles messages in order)."""
        nonce = self.ping()
        self.wait_for("pong", lambda m: m.nonce == nonce, timeout=timeout)


def bad_frame(magic, command, payload, bad_magic=None, bad_checksum=False, length=None):
    """A deliberately broken frame for hostile tests."""
    frame = bytearray(ser_frame(bad_magic or magic, command, payload))
    if bad_checksum:
        frame[20] ^= 0xff
    if length is not None:
        frame[16:20] = struct.pack("<I", length)
    return bytes(frame)
