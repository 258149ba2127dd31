#!/usr/bin/python3
"""A loopback HTTP(S) server that receives breachd's webhooks in tests.

Prints "ready <port>" once it listens; stops on SIGTERM. Answers POSTs from a script
(--responses 500,500,200: then 200 forever), can hold the first answer back (--delay-first
SECONDS) to make a client time out, checks X-Breachd-Signature when given --secret, and records
every request as a JSON line in --out: path, headers, body, signature_ok.
"""
import argparse
import hashlib
import hmac
import json
import signal
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret, header, body):
    # "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>"
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return False
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--responses", default="200")
    parser.add_argument("--delay-first", type=float, default=0)
    parser.add_argument("--secret")
    parser.add_argument("--out")
    args = parser.parse_args()

    script = [int(code) for code in args.responses.split(",") if code]
    state = {"count": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                number = state["count"]
                state["count"] += 1
            record = {"path": self.path, "headers": dict(self.headers.items()),
                      "body": body.decode("utf-8", "replace")}
            if args.secret is not None:
                record["signature_ok"] = signature_ok(
                    args.secret, self.headers.get("X-Breachd-Signature", ""), body)
            if args.out:
                with lock, open(args.out, "a") as f:
                    f.write(json.dumps(record) + "\n")
            if number == 0 and args.delay_first > 0:
                time.sleep(args.delay_first)
            code = script[number] if number < len(script) else 200
            answer = json.dumps({"received": number + 1} if code < 400 else
                                {"error": "no such hook" if code == 404 else "test failure"})
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer.encode())

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
