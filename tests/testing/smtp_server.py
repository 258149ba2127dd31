#!/usr/bin/python3
"""A loopback SMTP server for breachd's tests (aiosmtpd).

Prints "ready <port>" once it listens; stops on SIGTERM. Each accepted message is written as
OUT/<n>.eml, with a line in OUT/log.jsonl: mail_from, rcpt_tos, message_id and, decoded by
Python's email package (so C++ tests need no MIME parser), subject, text and html.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, out_dir, refusals, hold_reply=0):
        self.out_dir = out_dir
        self.hold_reply = hold_reply
        self.refusals = refusals  # [(compiled regex, code)]
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        for pattern, code in self.refusals:
            if pattern.search(address):
                text = "try again later" if code.startswith("4") else "no such mailbox"
                return f"{code} {address}: {text} (test server)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        plain = lambda part: part.get_content().replace("\r\n", "\n") if part else ""
        with self.lock:
            self.count += 1
            number = self.count
        if self.out_dir:
            with open(os.path.join(self.out_dir, f"{number}.eml"), "wb") as f:
                f.write(raw)
            record = {
                "file": f"{number}.eml",
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "message_id": message.get("Message-ID", ""),
                "subject": str(message.get("Subject", "")),
                "text": plain(text),
                "html": plain(html) if html is not text else "",
                "auth": session.authenticated,
            }
            with self.lock, open(os.path.join(self.out_dir, "log.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
        if self.hold_reply:
            # The message is stored; the client waits for the answer (crash tests kill it here).
            await asyncio.sleep(self.hold_reply)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--refuse", action="append", default=[], help="REGEX:CODE")
    parser.add_argument("--out")
    parser.add_argument("--hold-reply", type=float, default=0,
                        help="seconds to wait, after storing a message, before answering 250")
    args = parser.parse_args()

    refusals = []
    for rule in args.refuse:
        pattern, code = rule.rsplit(":", 1)
        refusals.append((re.compile(pattern), code))
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    kwargs = {"enable_SMTPUTF8": True}
    if args.user:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == args.user and
                  auth_data.password.decode() == args.password)
            # handled=False: aiosmtpd then answers 535 itself (its default, True, answers nothing).
            return AuthResult(success=ok, handled=False)
        # aiosmtpd counts only STARTTLS as TLS; with implicit TLS the whole session is.
        kwargs.update(authenticator=authenticate, auth_required=True,
                      auth_require_tls=context is not None and not args.implicit_tls)
    if context is not None and args.implicit_tls:
        kwargs["ssl_context"] = context
    elif context is not None:
        kwargs.update(tls_context=context, require_starttls=True)

    port = args.port or free_port()
    controller = Controller(Handler(args.out, refusals, args.hold_reply), hostname="127.0.0.1", port=port,
                            **kwargs)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"ready {port}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
