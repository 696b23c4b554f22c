"""Eclipse Mosquitto configured by us: TLS from a CA we generate, a password file, persistence.

``start_broker(home)`` writes ``home/mosquitto.conf``, the CA and server certificate
(``home/tls/``), the password file (``mosquitto_passwd``) and the persistence folder, and starts
``/usr/sbin/mosquitto`` through the project's process manager (``processes.start_process``: its
pid in ``home/run/mosquitto.pid``, its log in ``home/logs/mosquitto.log``) on a free port of
127.0.0.1 (or the one given). Restarting on the same home keeps the port, the users and the
persisted sessions and messages. ``python -m gridledger_network.mqtt_broker up|down --home DIR``
is what ``make broker`` runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.crypto.certificates import (
    issue_ca,
    issue_tls,
    load_issued,
    write_file,
)
from gridledger_network.processes import (
    HOST,
    RunFolder,
    check_ports_free,
    free_ports,
    start_process,
    stop_process,
    wait_listening,
)

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
NAME = "mosquitto"
DEFAULT_USER = "bridge"


class BrokerError(GridLedgerError):
    """Mosquitto is missing or could not be configured or started."""


@dataclass(frozen=True)
class Broker:
    """Where a started broker listens and how to reach it (``home/broker.json``)."""

    home: Path
    host: str
    port: int
    username: str
    password: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.home / "tls" / "ca.pem"

    @property
    def password_file(self) -> Path:
        return self.home / "password.txt"

    @property
    def run(self) -> RunFolder:
        return RunFolder(self.home)

    @property
    def running(self) -> bool:
        return self.run.running(NAME)

    def stop(self) -> bool:
        return stop_process(self.run, NAME)

    def restart(self, timeout: float = 30.0) -> Broker:
        self.stop()
        return start_broker(self.home, port=self.port, timeout=timeout)


def _require_binaries() -> None:
    for binary in (MOSQUITTO, MOSQUITTO_PASSWD):
        if not Path(binary).exists():
            raise BrokerError(
                f"{binary} is missing: install Debian's mosquitto (`make install` does, as root)"
            )


def _ensure_tls(tls: Path) -> None:
    ca_cert, ca_key = tls / "ca.pem", tls / "ca.key"
    if ca_cert.exists() and ca_key.exists():
        ca = load_issued(ca_cert, ca_key)
    else:
        ca = issue_ca("gridledger-mqtt-ca", "GridLedger MQTT")
        write_file(ca_key, ca.key_pem, private=True)
        write_file(ca_cert, ca.cert_pem)
    if not (tls / "server.pem").exists():
        server = issue_tls(ca, "mosquitto", ["localhost", HOST])
        write_file(tls / "server.key", server.key_pem, private=True)
        write_file(tls / "server.pem", server.cert_pem)


def _ensure_password(home: Path, username: str) -> str:
    secret = home / "password.txt"
    if not secret.exists():
        write_file(secret, secrets.token_urlsafe(18).encode("ascii"), private=True)
    password = secret.read_text(encoding="utf-8").strip()
    passwd = home / "passwd"
    if not passwd.exists():
        passwd.touch(mode=0o600)
        done = subprocess.run(
            [MOSQUITTO_PASSWD, "-b", str(passwd), username, password],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            passwd.unlink(missing_ok=True)
            raise BrokerError(f"mosquitto_passwd failed: {done.stderr.strip() or done.stdout}")
    return password


def _config(home: Path, port: int) -> str:
    tls = home / "tls"
    return "\n".join(
        [
            "# written by gridledger_network.mqtt_broker",
            "per_listener_settings false",
            # run as whoever started it (as root it would otherwise switch to user mosquitto,
            # which cannot read our owner-only files)
            f"user {getpass.getuser()}",
            "allow_anonymous false",
            f"password_file {home / 'passwd'}",
            "persistence true",
            f"persistence_location {home / 'data'}/",
            "autosave_interval 1",
            # QoS 1 messages in flight to one client: unlimited, so a bridge can hold a whole
            # batch unacknowledged; queued messages for an offline persistent session: bounded.
            "max_inflight_messages 0",
            "max_queued_messages 1000000",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            f"listener {port} {HOST}",
            f"cafile {tls / 'ca.pem'}",
            f"certfile {tls / 'server.pem'}",
            f"keyfile {tls / 'server.key'}",
            "require_certificate false",
            "",
        ]
    )


def start_broker(
    home: Path | str,
    *,
    port: int | None = None,
    username: str = DEFAULT_USER,
    timeout: float = 30.0,
) -> Broker:
    """Configure (first time) and start Mosquitto in ``home``; return how to reach it."""
    _require_binaries()
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    (home / "data").mkdir(exist_ok=True, mode=0o700)
    state = home / "broker.json"
    if port is None and state.exists():
        port = int(json.loads(state.read_text(encoding="utf-8"))["port"])
    if port is None:
        port = free_ports(1)[0]
    check_ports_free({port: "the MQTT broker"}, str(state))
    _ensure_tls(home / "tls")
    password = _ensure_password(home, username)
    (home / "mosquitto.conf").write_text(_config(home, port), encoding="utf-8")
    state.write_text(json.dumps({"host": HOST, "port": port, "username": username}) + "\n")
    run = RunFolder(home)
    start_process(run, NAME, [MOSQUITTO, "-c", str(home / "mosquitto.conf")])
    wait_listening(run, NAME, [port], timeout)
    return Broker(home, HOST, port, username, password)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridledger_network.mqtt_broker")
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--home", type=Path, default=Path(".broker"))
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    if args.action == "down":
        stopped = stop_process(RunFolder(args.home), NAME)
        print("mosquitto stopped" if stopped else "mosquitto was not running")
        return 0
    broker = start_broker(args.home, port=args.port)
    print(
        f"mosquitto on {broker.address} (TLS, CA {broker.ca_file}), user {broker.username}, "
        f"password in {broker.password_file}; stop: make broker-down"
    )
    return 0


def main() -> None:
    from gridledger_domain.command import report_error

    try:
        sys.exit(_main())
    except GridLedgerError as error:
        sys.exit(report_error("gridledger_network.mqtt_broker", error))


if __name__ == "__main__":
    main()
