"""A webhook receiver for the Playwright journeys (end2end/tests/webhook-ops.spec.ts).

Listens on 127.0.0.1:<port>, checks each message with the reference
Standard Webhooks verifier (PyPI `standardwebhooks`) and the endpoint's
secret, answers 204 when it holds (400 otherwise), and appends one JSON
line per request to <log>: {"id", "type", "verified"}. The test stops it
(the receiver is down: connections are refused) and starts it again on the
same port and log.
"""

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = self.server.verifier.verify(body, headers)
            verified, kind = True, payload.get("type")
        except Exception:  # noqa: BLE001 - any refusal is "not verified"
            verified, kind = False, None
        with LOCK, open(self.server.log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": headers.get("webhook-id"), "type": kind, "verified": verified}) + "\n")
        self.send_response(204 if verified else 400)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.verifier = Webhook(args.secret)
    server.log = args.log
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
