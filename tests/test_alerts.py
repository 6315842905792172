"""Alerts through spidermon actions, configured by settings only, received by local sinks on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.localsite import serve_site
from tests.test_quiet_logs import run

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    s = serve_site(pages=20, per_list=20)
    yield s
    s.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[int, list[Message]]]:
    from aiosmtpd.controller import Controller

    received: list[Message] = []

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.content)
            message["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
            received.append(message)
            return "250 OK"

    with socket.socket() as probe:  # a free port: the controller checks it is up by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def email_settings(port: int) -> list[str]:
    return ["-s", "SPIDERMON_EMAIL_TO=ops@example.com", "-s", "SPIDERMON_SMTP_HOST=127.0.0.1",
            "-s", f"SPIDERMON_SMTP_PORT={port}"]


def test_failed_monitor_sends_one_email_and_a_healthy_crawl_none(site, smtp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, received = smtp
    healthy = run("crawl", tmp_path / "ok", "localnews", "-a", f"start_urls={site.base_url}/list/1",
                  *email_settings(port))
    assert healthy.returncode == 0, healthy.stderr[-2000:]
    assert received == []
    broken = run("crawl", tmp_path / "broken", "localnews", "-a", f"start_urls={site.base_url}/",
                 *email_settings(port))
    assert broken.returncode == 1
    (mail,) = received
    assert mail["Subject"] == "Crawl of localnews failed" and mail["X-Rcpt"] == "ops@example.com"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "- List Pages Monitor: 1 list page(s), feed(s) or sitemap(s) read, no article URL found" in body
    assert "Monitor alert for localnews e-mailed to ops@example.com" in broken.stderr


def test_alerts_are_off_by_default_and_a_file_report_is_a_setting(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = run("crawl", tmp_path / "a", "localnews", "-a", f"start_urls={site.base_url}/")
    assert plain.returncode == 1 and "e-mailed" not in plain.stderr
    assert "[Spidermon] FAIL: List Pages Monitor/List pages should give article URLs: 1 list page(s)" in plain.stderr
    assert "FAILED ACTIONS" not in plain.stderr  # no action ran: the empty step is not logged
    assert "CreateFileReport" not in plain.stderr and "SendEmail" not in plain.stderr
    report = tmp_path / "alert.html"
    filed = run("crawl", tmp_path / "b", "localnews", "-a", f"start_urls={site.base_url}/",
                "-s", f"SPIDERMON_REPORT_FILENAME={report}")
    assert filed.returncode == 1
    text = report.read_text("utf-8")
    assert "localnews" in text and "List Pages Monitor" in text


class SentrySink:
    """Collects what sentry-sdk posts to ``/api/<project>/envelope/``."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding")
                if encoding == "gzip":
                    data = gzip.decompress(data)
                elif encoding == "br":
                    import brotli  # sentry-sdk compresses with it when it is installed

                    data = brotli.decompress(data)
                for line in data.splitlines():
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(item, dict) and "message" in item:
                        events.append(item)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_sentry_alert_reaches_a_local_sink(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sink = SentrySink()
    try:
        proc = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/",
                   "-s", f"SPIDERMON_SENTRY_DSN={sink.dsn}")
    finally:
        sink.stop()
    assert proc.returncode == 1
    assert "DeprecationWarning" not in proc.stderr
    (event,) = sink.events
    assert "localnews" in event["message"] and "no article URL found" in event["message"]
    assert event["tags"]["spider_name"] == "localnews"


def test_slack_and_telegram_actions_render_their_messages(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # FAKE: spidermon logs the message it would post (no network here); the wiring and templates are real.
    proc = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/",
               "-s", "SPIDERMON_SLACK_SENDER_TOKEN=xoxb-test", "-s", "SPIDERMON_SLACK_RECIPIENTS=#crawls",
               "-s", "SPIDERMON_SLACK_FAKE=1", "-s", "SPIDERMON_TELEGRAM_SENDER_TOKEN=123:abc",
               "-s", "SPIDERMON_TELEGRAM_RECIPIENTS=42", "-s", "SPIDERMON_TELEGRAM_FAKE=1")
    assert proc.returncode == 1
    assert "SendSlackMessageSpiderFinished... OK" in proc.stderr
    assert "SendTelegramMessageSpiderFinished... OK" in proc.stderr
    assert proc.stderr.count("List Pages Monitor") >= 3  # the monitor's failure, then both messages name it
