"""A tiny OpenAI-compatible chat server on 127.0.0.1 for the example scripts' tests.

It answers `a OP b` questions: right for odd `a`, one off for even `a`, so rewards vary.
Every request's JSON is kept, so tests can check what the client sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}


def answer(question: str) -> str:
    match = re.search(r"(\d+)\s*([+*-])\s*(\d+)", question)
    if not match:
        return "I don't know"
    a, op, b = int(match[1]), match[2], int(match[3])
    value = OPS[op](a, b)
    return str(value if a % 2 else value + 1)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_error(404)
            return
        self.server.requests.append({"auth": self.headers.get("Authorization"), **body})
        question = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        text = answer(question)
        doc = {
            "id": f"chatcmpl-{len(self.server.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
        }
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    requests: list[dict[str, Any]]


@contextmanager
def llm_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yields the base URL (`http://127.0.0.1:PORT/v1`) and the list of requests received."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server.requests
    finally:
        server.shutdown()
        server.server_close()
