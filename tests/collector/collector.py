#!/usr/bin/env python3
"""complyd's HTTPS test collector: a small HTTPS server (Python 3 standard
library only) that records every request it receives and can be told to
misbehave. Tests use it as the far end of the webhook alert sink and of the
evidence shipper; it is usable by hand too.

  tests/collector/make_certs.sh /tmp/certs
  tests/collector/collector.py --cert /tmp/certs/server.crt --key /tmp/certs/server.key \\
      --record-dir /tmp/rec --token s3cret
  curl --cacert /tmp/certs/ca.crt -H 'Authorization: Bearer s3cret' -d '{}' \\
      https://127.0.0.1:PORT/hook

Each request is written to --record-dir as NNNNNN.json (1-based sequence,
written atomically before the answer is sent) with: seq, time, method, path,
headers (name -> value, names as sent), gzip (true when the body came with
Content-Encoding: gzip; body is then the decoded text), body (text, UTF-8
with replacement), json (the body parsed, or null), ndjson (a list, one
parsed object per non-empty line, or null when a line is not JSON),
client_cert_subject ("O=...,CN=..." or null), status (the status answered,
or "hang"/"reset"), fault (the fault applied, or null).

Faults (--faults FILE): a JSON list, re-read on every request; its first
element is consumed (the file rewritten without it) and applied to that
request. When the list is empty or the file is missing: 200 with
{"ok": true, "seq": N}. Elements:
  {"status": 503}                       answer 503 (any status)
  {"status": 429, "retry_after": "3"}   with a Retry-After header
  {"status": 200, "body": "..."}        with this body (string, or any JSON value)
  {"delay": 2}                          wait 2 s, then answer (with "status" if given, else 200)
  {"hang": 30}                          read the request, answer nothing for 30 s, then close
  {"reset": true}                       read the request, then reset the connection (RST)
  {"trickle": 10}                       answer 200 but send the body one byte per second for 10 s
Authentication (--token, --splunk) and client certificates (--client-ca) are
checked before a fault is consumed: a refused request answers 401 and is
recorded. A wrong server certificate is just a matter of starting the
collector with one (make_certs.sh makes wrong-server.crt).

Listens on 127.0.0.1 only (or another loopback address with --host); port 0
picks a free port. Prints "listening on https://HOST:PORT" on stdout and
writes the port to --port-file when given. Stops on SIGTERM or SIGINT.
"""
import argparse
import datetime
import gzip
import http.server
import ipaddress
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

MAX_BODY = 64 * 1024 * 1024
HANDSHAKE_TIMEOUT = 10
IO_TIMEOUT = 60


class State:
    """What the handler threads share: the options and the sequence counter."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.seq = 0

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def take_fault(self):
        """The first fault of the faults file, removed from it; None when none."""
        path = self.args.faults
        if not path:
            return None
        with self.lock:
            try:
                with open(path) as f:
                    faults = json.load(f)
            except FileNotFoundError:
                return None
            except (OSError, ValueError) as e:
                sys.stderr.write("collector: cannot read faults file %s: %s\n" % (path, e))
                return None
            if not isinstance(faults, list) or not faults:
                return None
            fault = faults.pop(0)
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(faults, f)
            os.replace(tmp, path)
            return fault if isinstance(fault, dict) else None


def write_json_atomic(path, obj):
    tmp = "%s.tmp.%d" % (path, threading.get_ident())
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def subject_text(cert):
    """'O=complyd tests,CN=complyd-test-client' from getpeercert()."""
    if not cert:
        return None
    parts = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            short = {"commonName": "CN", "organizationName": "O", "countryName": "C",
                     "organizationalUnitName": "OU"}.get(key, key)
            parts.append("%s=%s" % (short, value))
    return ",".join(parts)


def parse_body(raw):
    """(text, json or None, ndjson list or None) of a request body."""
    text = raw.decode("utf-8", errors="replace")
    try:
        whole = json.loads(text) if text.strip() else None
    except ValueError:
        whole = None
    lines = [line for line in text.splitlines() if line.strip()]
    ndjson = []
    for line in lines:
        try:
            ndjson.append(json.loads(line))
        except ValueError:
            ndjson = None
            break
    return text, whole, ndjson if lines else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "complyd-test-collector/1"
    state = None  # set per server

    def setup(self):
        """The TLS handshake happens here, in the request's own thread, so a
        client that stalls or fails it blocks nobody else."""
        conn = self.request
        conn.settimeout(HANDSHAKE_TIMEOUT)
        try:
            self.request = self.server.ssl_context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.state.args.verbose and sys.stderr.write("collector: TLS handshake failed: %s\n" % e)
            conn.close()
            raise ConnectionAbortedError(str(e))
        self.request.settimeout(IO_TIMEOUT)
        super().setup()

    def log_message(self, fmt, *args):
        if self.state.args.verbose:
            sys.stderr.write("collector: %s\n" % (fmt % args))

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length)

    def authorized(self):
        token = self.state.args.token
        if not token:
            return True
        scheme = "Splunk" if self.state.args.splunk else "Bearer"
        return self.headers.get("Authorization", "") == "%s %s" % (scheme, token)

    def record(self, raw, is_gzip, status, fault):
        seq = self.state.next_seq()
        text, whole, ndjson = parse_body(raw)
        rec = {
            "seq": seq,
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items()},
            "gzip": is_gzip,
            "body": text,
            "json": whole,
            "ndjson": ndjson,
            "client_cert_subject": subject_text(self.request.getpeercert()),
            "status": status,
            "fault": fault,
        }
        if self.state.args.record_dir:
            write_json_atomic(os.path.join(self.state.args.record_dir, "%06d.json" % seq), rec)
        return seq

    def answer(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def handle_any(self):
        try:
            raw = self.read_body()
        except (ValueError, OSError):
            self.answer(400, '{"error": "bad body"}')
            self.close_connection = True
            return
        is_gzip = self.headers.get("Content-Encoding", "").lower() == "gzip"
        if is_gzip:
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, ValueError):
                self.record(raw, is_gzip, 400, None)
                self.answer(400, '{"error": "bad gzip"}')
                return
        if not self.authorized():
            self.record(raw, is_gzip, 401, None)
            self.answer(401, '{"error": "unauthorized"}')
            return
        fault = self.state.take_fault() or {}
        self.apply(raw, is_gzip, fault)

    def apply(self, raw, is_gzip, fault):
        if "hang" in fault:
            self.record(raw, is_gzip, "hang", fault)
            time.sleep(float(fault["hang"]))
            self.close_connection = True
            return
        if fault.get("reset"):
            self.record(raw, is_gzip, "reset", fault)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.request.close()
            return
        if "trickle" in fault:
            seconds = max(1, int(fault["trickle"]))
            self.record(raw, is_gzip, 200, fault)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(seconds))
            self.end_headers()
            self.wfile.flush()
            for _ in range(seconds):
                time.sleep(1)
                self.wfile.write(b".")
                self.wfile.flush()
            return
        if "delay" in fault:
            time.sleep(float(fault["delay"]))
        status = int(fault.get("status", 200))
        headers = []
        if "retry_after" in fault:
            headers.append(("Retry-After", str(fault["retry_after"])))
        seq = self.record(raw, is_gzip, status, fault or None)
        body = fault.get("body")
        if body is None:
            body = {"ok": 200 <= status < 300, "seq": seq}
        self.answer(status, body if isinstance(body, str) else json.dumps(body), headers)

    do_POST = handle_any
    do_PUT = handle_any
    do_GET = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return  # a client that went away or failed TLS: nothing to report
        super().handle_error(request, client_address)


def make_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="collector.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    p.add_argument("--port-file", help="write the port number to this file once listening")
    p.add_argument("--cert", required=True, help="server certificate (PEM)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--client-ca", help="require client certificates signed by this CA (mTLS)")
    p.add_argument("--token", help='require "Authorization: Bearer TOKEN", else 401')
    p.add_argument("--splunk", action="store_true", help='expect "Authorization: Splunk TOKEN" instead')
    p.add_argument("--record-dir", help="write each request as NNNNNN.json here")
    p.add_argument("--faults", help="JSON list of faults, consumed one per request")
    p.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error("--host must be a loopback address")
    if args.record_dir:
        os.makedirs(args.record_dir, exist_ok=True)
    return args


def main(argv=None):
    args = parse_args(argv)
    handler = type("BoundHandler", (Handler,), {"state": State(args)})
    server_cls = Server
    if ":" in args.host:
        server_cls = type("Server6", (Server,), {"address_family": socket.AF_INET6})
    server = server_cls((args.host, args.port), handler)
    server.ssl_context = make_context(args)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    host = "[%s]" % args.host if ":" in args.host else args.host
    print("listening on https://%s:%d" % (host, port), flush=True)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
