#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd, the asyncio SMTP
server of the aio-libs project): every message it accepts is written to
--dir as 0001.json, 0002.json, ... with the envelope, the decoded subject
and text body, and the raw message (whole files only: each is written
aside, then renamed). Prints "ready" once it listens; stops on SIGTERM or
SIGINT.

    smtp_sink.py --port 2525 --dir /tmp/mail
"""
import argparse
import email
import email.policy
import itertools
import json
import os
import pathlib
import signal
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, directory: pathlib.Path):
        self.dir = directory
        self.count = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.count)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "content_type": message.get_content_type(),
            "body": message.get_content(),
            "raw": raw.decode("utf-8", "replace"),
        }
        aside = self.dir / f".{n:04}.part"
        aside.write_text(json.dumps(record, ensure_ascii=False))
        os.rename(aside, self.dir / f"{n:04}.json")
        return "250 Message accepted"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=pathlib.Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
