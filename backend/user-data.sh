#!/bin/bash
# User data for the backend instances (Amazon Linux 2023): a tiny HTTP API on port 8080 that the
# load balancer health-checks at /api/health. Replace it with your application; keep the port and the
# health check path in step with backend.port and backend.healthCheckPath in the config.
# EC2 runs this once, as root, at first boot; its output is in /var/log/cloud-init-output.log.
set -euo pipefail

PORT=8080

install -d -m 0755 /opt/tekamolo-api
cat > /opt/tekamolo-api/server.py <<'PY'
import json
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("PORT", "8080"))
HOST = socket.gethostname()


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/api/health":
            self._send(200, {"status": "ok"})
        elif path.startswith("/api/"):
            self._send(200, {"message": "hello from tekamolo", "host": HOST, "path": path})
        else:
            self._send(404, {"error": "not found", "path": path})

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        # Health checks every few seconds would flood the journal.
        if not self.path.startswith("/api/health"):
            super().log_message(fmt, *args)


ThreadingHTTPServer(("", PORT), Handler).serve_forever()
PY

cat > /etc/systemd/system/tekamolo-api.service <<UNIT
[Unit]
Description=tekamolo example API
After=network-online.target
Wants=network-online.target

[Service]
Environment=PORT=${PORT}
ExecStart=/usr/bin/python3 /opt/tekamolo-api/server.py
DynamicUser=yes
Restart=always
RestartSec=2
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable --now tekamolo-api.service
