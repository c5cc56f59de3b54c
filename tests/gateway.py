"""A text-message gateway listening on localhost, as MINPING_SMS_GATEWAY_URL names it, for tests of what is sent."""

import http.server
import json
import threading

from django.test import override_settings


class GatewayHandler(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        GatewayHandler.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Gateway:
    """`with Gateway() as received:` the settings name a gateway that keeps each message ({"phone", "text"}) in
    `received`."""

    def __enter__(self) -> list:
        GatewayHandler.received = []
        self.server = http.server.HTTPServer(("127.0.0.1", 0), GatewayHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.settings = override_settings(SMS_GATEWAY_URL=f"http://127.0.0.1:{self.server.server_port}/send")
        self.settings.enable()
        return GatewayHandler.received

    def __exit__(self, *exc):
        self.settings.disable()
        self.server.shutdown()
        self.server.server_close()
