"""The playground's HTTP server: the page, its assets and a small JSON API, on 127.0.0.1 only.

Standard library only (``http.server.ThreadingHTTPServer``): no build step, no CDN, every asset
from ``scrubber/playground/static``. Requests are bounded: a body over ``BODY_LIMIT`` is refused
with 413 before it is read, a client that stalls is dropped after ``SOCKET_TIMEOUT``, and each
check runs in the sandbox under its time limit. Every answer is JSON with a message a rule author
can act on; nothing a request sends can stop the server. Claim text is never logged (PHI).

API: ``GET /api/state`` (rule files, packs, fixture claims, template), ``GET /api/rule?path=``,
``GET /api/fixture?name=``, ``POST /api/check`` {path, text, claim}, ``POST /api/save`` {path, text}.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs, urlsplit

from scrubber.playground.paths import PathRefused, relative, rule_path

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/app.css": ("app.css", "text/css; charset=utf-8")}
BODY_LIMIT = 3 * 1024 * 1024
DRAIN_LIMIT = 64 * 1024 * 1024  # a bigger body is cut off unread (the client then sees a reset)
SOCKET_TIMEOUT = 30
# The page and its API only talk to this server; nothing inline, nothing from elsewhere.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"


def fixture_dirs() -> list[Path]:
    """Sample claims of a source checkout (``fixtures/claims*``), for the claim picker."""
    import scrubber

    base = Path(scrubber.__file__).resolve().parent.parent / "fixtures"
    return [d for d in (base / "claims", base / "claims-payer") if d.is_dir()]


def fixture_files() -> dict[str, Path]:
    out = {}
    for d in fixture_dirs():
        for p in sorted(d.iterdir()):
            if p.is_file() and p.suffix in (".837", ".json", ".x12", ".txt", ".edi"):
                out[f"{d.name}/{p.name}"] = p
    return out


def rule_files(root: Path) -> list[str]:
    """Rule files under the served directory (pack folders, or YAML directly in it), never via links."""
    out = []
    for p in sorted(root.iterdir()):
        if p.is_symlink():
            continue
        if p.is_dir() and p.name != "valuesets" and not p.name.startswith("."):
            out += [relative(root, f) for f in sorted(p.iterdir())
                    if f.suffix in (".yaml", ".yml") and f.name != "pack.yaml" and f.is_file() and not f.is_symlink()]
        elif p.is_file() and p.suffix in (".yaml", ".yml") and p.name != "pack.yaml":
            out.append(relative(root, p))
    return out


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int, sandbox):
        self.root = root.resolve()
        self.sandbox = sandbox
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    timeout = SOCKET_TIMEOUT
    server_version = "claimscrub-playground"

    def log_message(self, fmt, *args):  # the request line only (paths carry no claim content)
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    # ---- answers --------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data, status: int = 200) -> None:
        self._send(status, json.dumps(data, default=str).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json({"error": message}, status)

    def _body(self) -> Optional[dict]:
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length < 0 or length > BODY_LIMIT:
            self.close_connection = True
            self._drain(length)  # read what was sent (up to DRAIN_LIMIT) so the client sees the answer
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"the request is {length:,} bytes; the playground takes at most {BODY_LIMIT:,} "
                        "(paste one claim or a small batch, not a whole file)")
            return None
        try:
            data = json.loads(self.rfile.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            self._error(HTTPStatus.BAD_REQUEST, "the request is not JSON")
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k, ""), str) for k in ("path", "text", "claim")):
            self._error(HTTPStatus.BAD_REQUEST, "send {path, text, claim} as strings")
            return None
        return data

    def _drain(self, length: int) -> None:
        left = min(length, DRAIN_LIMIT)
        try:
            while left > 0:
                block = self.rfile.read(min(left, 1 << 16))
                if not block:
                    break
                left -= len(block)
        except OSError:
            pass

    def _foreign(self) -> bool:
        """A request naming another host or coming from another site's page (DNS rebinding, CSRF)."""
        port = self.server.server_address[1]
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        if self.headers.get("Host") not in allowed or (origin is not None and origin.split("//", 1)[-1] not in allowed):
            self._error(HTTPStatus.FORBIDDEN, f"the playground answers only pages it served itself (http://127.0.0.1:{port}/)")
            return True
        return False

    # ---- routes -----------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802  (http.server's name)
        if self._foreign():
            return None
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path in ASSETS:
            name, ctype = ASSETS[url.path]
            return self._send(200, (STATIC / name).read_bytes(), ctype)
        if url.path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        if url.path == "/api/state":
            root = self.server.root
            packs = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()
                           and p.name != "valuesets" and not p.name.startswith("."))
            return self._json({"root": str(root), "rules": rule_files(root), "packs": packs,
                               "fixtures": list(fixture_files()),
                               "template": (STATIC / "template.yaml").read_text(encoding="utf-8")})
        if url.path == "/api/rule":
            try:
                path = rule_path(self.server.root, query.get("path", ""))
            except PathRefused as exc:
                return self._error(HTTPStatus.FORBIDDEN, str(exc))
            if not path.is_file():
                return self._error(HTTPStatus.NOT_FOUND, f"{query.get('path')}: no such rule file")
            return self._json({"path": relative(self.server.root, path), "text": path.read_text(encoding="utf-8", errors="replace")})
        if url.path == "/api/fixture":
            found = fixture_files().get(query.get("name", ""))
            if found is None:
                return self._error(HTTPStatus.NOT_FOUND, "no such fixture claim")
            return self._json({"name": query["name"], "text": found.read_text(encoding="utf-8", errors="replace")})
        return self._error(HTTPStatus.NOT_FOUND, f"{url.path}: not found")

    def do_POST(self):  # noqa: N802
        if self._foreign():
            self.close_connection = True
            return None
        url = urlsplit(self.path)
        if url.path not in ("/api/check", "/api/save"):
            return self._error(HTTPStatus.NOT_FOUND, f"{url.path}: not found")
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            # a form post from another site cannot send this type without a CORS preflight
            return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
        data = self._body()
        if data is None:
            return None
        try:
            path = rule_path(self.server.root, data.get("path", ""))
        except PathRefused as exc:
            return self._error(HTTPStatus.FORBIDDEN, str(exc))
        rel = relative(self.server.root, path)
        if url.path == "/api/check":
            answer = self.server.sandbox.run(root=str(self.server.root), rel=rel, text=data.get("text", ""),
                                             claim=data.get("claim", ""))
            return self._json(answer["data"] if answer.get("ok") else {"error": answer.get("error")})
        return self._save(path, rel, data.get("text", ""))

    def _save(self, path: Path, rel: str, text: str) -> None:
        from scrubber.playground.check import RULE_LIMIT

        if len(text) > RULE_LIMIT:
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the rule text is over {RULE_LIMIT:,} characters")
        if not path.parent.is_dir():
            return self._error(HTTPStatus.FORBIDDEN, f"{rel}: the pack folder {path.parent.name}/ does not exist in "
                                                     f"{self.server.root}; create it first or pick an existing pack")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".playground-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text if text.endswith("\n") else text + "\n")
            os.replace(tmp, path)  # whole file or nothing: an editor never sees half a rule
        except OSError as exc:
            os.unlink(tmp) if os.path.exists(tmp) else None
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{rel}: could not write: {exc.strerror}")
        self._json({"saved": rel, "bytes": path.stat().st_size})


def serve(root: Path, port: int = 8765, ready=None) -> None:
    """Start the sandbox, then the server; print the URL; run until interrupted."""
    from scrubber.playground.sandbox import Sandbox

    sandbox = Sandbox()  # forked before the server has any thread
    try:
        server = PlaygroundServer(root, port, sandbox)
    except OSError:
        sandbox.close()
        raise
    print(f"claimscrub rule playground for {server.root}: {server.url}  (Ctrl+C stops it)", flush=True)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sandbox.close()
