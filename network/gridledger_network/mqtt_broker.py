"""Eclipse Mosquitto configured by us: TLS from a CA we generate, a password file, persistence.

``start_broker(home)`` writes ``home/mosquitto.conf``, the CA and server certificate
(``home/tls/``), the password file (``mosquitto_passwd``) and the persistence folder, and starts
``/usr/sbin/mosquitto`` through the project's process manager (``processes.start_process``: its
pid in ``home/run/mosquitto.pid``, its log in ``home/logs/mosquitto.log``) on a free port of
127.0.0.1 (or the one given). Restarting on the same home keeps the port, the users and the
persisted sessions and messages. ``python -m gridledger_network.mqtt_broker up|down --home DIR``
is what ``make broker`` runs.

``start_broker(home, client_certs=True)`` (``up --client-certs``) makes a broker that takes only
clients presenting a certificate of its clients' CA (``home/tls/clients-ca.pem``, another CA
than the server's): ``require_certificate true``, ``use_identity_as_username true`` (the
certificate's CN is the client's user name, no password) and an ACL by that name
(``home/acl``): a ``bridge`` reads readings and writes dead letters, a ``head-end`` writes
readings, and any client may write the readings of the meter its CN names. It issues
``clients/gridledger-bridge.pem`` (role bridge) and ``clients/head-end.pem`` (role head-end);
``issue_client`` (``issue-client --name CN --role ROLE``) issues more. The mode is kept in
``broker.json``: a restart keeps it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.crypto.certificates import (
    Issued,
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
BRIDGE_CLIENT = "gridledger-bridge"
HEAD_END_CLIENT = "head-end"
# what a client certificate's CN may do on a broker requiring client certificates
ROLES: dict[str, tuple[str, ...]] = {
    "bridge": ("topic read meters/+/readings", "topic write gridledger/dead-letters"),
    "head-end": ("topic write meters/+/readings",),
    "meter": (),  # only the pattern every client has: its own meter's readings
}
CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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
    def client_certs(self) -> bool:
        """Whether the broker requires client certificates (``start_broker(client_certs=)``)."""
        return _mode(self.home)

    def client(self, name: str) -> ClientCertificate:
        """The certificate issued to client ``name`` (``issue_client``)."""
        return ClientCertificate(name, *_client_files(self.home, name))

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


@dataclass(frozen=True)
class ClientCertificate:
    """A client's certificate and key, issued by the broker's clients' CA; its CN is ``name``."""

    name: str
    cert: Path
    key: Path


def _mode(home: Path) -> bool:
    state = home / "broker.json"
    if not state.exists():
        return False
    return bool(json.loads(state.read_text(encoding="utf-8")).get("client_certs", False))


def _client_files(home: Path, name: str) -> tuple[Path, Path]:
    return home / "clients" / f"{name}.pem", home / "clients" / f"{name}.key"


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


def _clients_ca(tls: Path) -> Issued:
    ca_cert, ca_key = tls / "clients-ca.pem", tls / "clients-ca.key"
    if ca_cert.exists() and ca_key.exists():
        return load_issued(ca_cert, ca_key)
    ca = issue_ca("gridledger-mqtt-clients-ca", "GridLedger MQTT clients")
    write_file(ca_key, ca.key_pem, private=True)
    write_file(ca_cert, ca.cert_pem)
    return ca


def _roles(home: Path) -> dict[str, str]:
    registry = home / "clients" / "clients.json"
    if not registry.exists():
        return {}
    roles: dict[str, str] = json.loads(registry.read_text(encoding="utf-8"))
    return roles


def _write_acl(home: Path) -> None:
    lines = ["# written by gridledger_network.mqtt_broker: user names are certificate CNs"]
    for name, role in sorted(_roles(home).items()):
        lines += ["", f"user {name}", *ROLES[role]]
    # every client (its user name being its certificate's CN): the readings of the meter it names
    lines += ["", "pattern write meters/%u/readings", ""]
    write_file(home / "acl", "\n".join(lines).encode("utf-8"))


def issue_client(home: Path | str, name: str, role: str) -> ClientCertificate:
    """Issue client ``name`` (its certificate's CN) a certificate of the clients' CA with
    ``role`` (``ROLES``) in the ACL; a running broker reloads its ACL (SIGHUP)."""
    home = Path(home).resolve()
    if not CLIENT_NAME.fullmatch(name):
        raise BrokerError(
            f"client name {name!r}: 1 to 64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    if role not in ROLES:
        raise BrokerError(f"role {role!r}: one of {', '.join(ROLES)}")
    roles = _roles(home)
    cert_path, key_path = _client_files(home, name)
    if name in roles and roles[name] != role:
        raise BrokerError(f"client {name} was issued with role {roles[name]}, not {role}")
    if name not in roles or not cert_path.exists():
        issued = issue_tls(_clients_ca(home / "tls"), name, [])
        write_file(key_path, issued.key_pem, private=True)
        write_file(cert_path, issued.cert_pem)
        roles[name] = role
        write_file(home / "clients" / "clients.json", json.dumps(roles, indent=1).encode())
    _write_acl(home)
    pid = RunFolder(home).pid(NAME)
    if pid is not None and RunFolder(home).running(NAME):
        os.kill(pid, signal.SIGHUP)  # mosquitto reloads its ACL file
    return ClientCertificate(name, cert_path, key_path)


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


def _config(home: Path, port: int, client_certs: bool) -> str:
    tls = home / "tls"
    if client_certs:
        # clients verified against the clients' CA only; the CN is the user name (no password)
        clients = [
            f"acl_file {home / 'acl'}",
            f"cafile {tls / 'clients-ca.pem'}",
            "require_certificate true",
            "use_identity_as_username true",
        ]
    else:
        clients = [f"cafile {tls / 'ca.pem'}", "require_certificate false"]
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
            f"certfile {tls / 'server.pem'}",
            f"keyfile {tls / 'server.key'}",
            *clients,
            "",
        ]
    )


def start_broker(
    home: Path | str,
    *,
    port: int | None = None,
    username: str = DEFAULT_USER,
    client_certs: bool | None = None,
    timeout: float = 30.0,
) -> Broker:
    """Configure (first time) and start Mosquitto in ``home``; return how to reach it.

    ``client_certs``: require client certificates (None: as the home was first started)."""
    _require_binaries()
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    (home / "data").mkdir(exist_ok=True, mode=0o700)
    state = home / "broker.json"
    if port is None and state.exists():
        port = int(json.loads(state.read_text(encoding="utf-8"))["port"])
    if port is None:
        port = free_ports(1)[0]
    if client_certs is None:
        client_certs = _mode(home)
    check_ports_free({port: "the MQTT broker"}, str(state))
    _ensure_tls(home / "tls")
    password = _ensure_password(home, username)
    state.write_text(
        json.dumps({"host": HOST, "port": port, "username": username, "client_certs": client_certs})
        + "\n"
    )
    if client_certs:
        _clients_ca(home / "tls")
        issue_client(home, BRIDGE_CLIENT, "bridge")
        issue_client(home, HEAD_END_CLIENT, "head-end")
    (home / "mosquitto.conf").write_text(_config(home, port, client_certs), encoding="utf-8")
    run = RunFolder(home)
    start_process(run, NAME, [MOSQUITTO, "-c", str(home / "mosquitto.conf")])
    wait_listening(run, NAME, [port], timeout)
    return Broker(home, HOST, port, username, password)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridledger_network.mqtt_broker")
    parser.add_argument("action", choices=["up", "down", "issue-client"])
    parser.add_argument("--home", type=Path, default=Path(".broker"))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--client-certs",
        action="store_true",
        default=None,
        help="up: require client certificates of the clients' CA (the CN is the user name)",
    )
    parser.add_argument("--name", help="issue-client: the client's name, its certificate's CN")
    parser.add_argument("--role", choices=sorted(ROLES), help="issue-client: what it may do")
    args = parser.parse_args(argv)
    if args.action == "issue-client":
        if args.name is None or args.role is None:
            parser.error("issue-client needs --name and --role")
        issued = issue_client(args.home, args.name, args.role)
        print(f"client {issued.name} ({args.role}): certificate {issued.cert}, key {issued.key}")
        return 0
    if args.action == "down":
        stopped = stop_process(RunFolder(args.home), NAME)
        print("mosquitto stopped" if stopped else "mosquitto was not running")
        return 0
    broker = start_broker(args.home, port=args.port, client_certs=args.client_certs)
    if broker.client_certs:
        bridge, head_end = broker.client(BRIDGE_CLIENT), broker.client(HEAD_END_CLIENT)
        print(
            f"mosquitto on {broker.address} (TLS, CA {broker.ca_file}), client certificates "
            f"required: bridge {bridge.cert} (key {bridge.key}), head-end {head_end.cert} "
            f"(key {head_end.key}); stop: make broker-down"
        )
        return 0
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
