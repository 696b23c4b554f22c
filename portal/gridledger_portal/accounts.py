"""Accounts in SQLite (``home/portal/<org>.sqlite``, owner-only): users bound to one of the
organisation's Fabric identities, sessions, personal access tokens, the audit log and the
readings submissions the API accepted.

Passwords are Argon2 hashes; session ids and token secrets are random and stored as SHA-256
digests only (they are 256-bit random values, so a fast digest is enough), so the database
alone lets no one sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gridledger_portal.errors import AccountError

TOKEN_PREFIX = "glp"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    temporary_password INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    label TEXT NOT NULL,
    scope TEXT NOT NULL,
    digest TEXT NOT NULL,
    created REAL NOT NULL,
    revoked REAL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user TEXT NOT NULL,
    via TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    transaction_ids TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    readings TEXT NOT NULL,
    result TEXT NOT NULL
);
"""


class Scope(StrEnum):
    """A personal access token's scope: ``read`` (GET only) or ``trade`` (everything the
    user may do)."""

    READ = "read"
    TRADE = "trade"


@dataclass(frozen=True)
class User:
    name: str
    identity: str
    temporary_password: bool


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires: float


@dataclass(frozen=True)
class Token:
    id: str
    user: str
    label: str
    scope: Scope
    created: float
    revoked: float | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "scope": self.scope.value,
            "created": self.created,
            "revoked": self.revoked,
        }


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: float
    user: str
    via: str
    action: str
    outcome: str
    transaction_ids: tuple[str, ...]
    detail: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "user": self.user,
            "via": self.via,
            "action": self.action,
            "outcome": self.outcome,
            "transaction_ids": list(self.transaction_ids),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Submission:
    id: str
    user: str
    created: float
    status: str
    readings: list[dict[str, Any]]
    result: dict[str, Any]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "created": self.created,
            "readings": len(self.readings),
            **self.result,
        }


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_password() -> str:
    """A one-time password: 20 URL-safe characters (~120 bits)."""
    return secrets.token_urlsafe(15)


class Accounts:
    """The portal's account store (one SQLite file; each call its own short transaction)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._hasher = PasswordHasher()
        _owner_only(path)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> sqlite3.Connection:
        """``with self._transaction() as db:`` commits what the block wrote, or rolls it back
        (Python's sqlite3 opens the transaction at the first write)."""
        return self._db

    # -- users ----------------------------------------------------------------------------------
    def add_user(self, name: str, identity: str) -> str:
        """Create ``name`` bound to ``identity``; return its one-time password."""
        if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
            raise AccountError(f"user names are 1 to 64 letters, digits, - and _: {name!r}")
        password = new_password()
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, 1, ?)",
                    (name, identity, self._hasher.hash(password), time.time()),
                )
        except sqlite3.IntegrityError:
            raise AccountError(f"there is already a user {name!r}") from None
        return password

    def user(self, name: str) -> User | None:
        row = self._db.execute(
            "SELECT name, identity, temporary_password FROM users WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else User(row[0], row[1], bool(row[2]))

    def check_password(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (same work whether or not the user
        exists)."""
        row = self._db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row is not None else _DUMMY_HASH
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return self.user(name) if row is not None else None

    def set_password(self, name: str, password: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE users SET password_hash = ?, temporary_password = 0 WHERE name = ?",
                (self._hasher.hash(password), name),
            )

    # -- sessions -------------------------------------------------------------------------------
    def open_session(self, user: User, lifetime: float) -> tuple[str, Session]:
        """A new session: its id (for the cookie) and the session (with its CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = time.time() + lifetime
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (digest(session_id), user.name, csrf, expires),
            )
        return session_id, Session(user, csrf, expires)

    def session(self, session_id: str) -> Session | None:
        row = self._db.execute(
            "SELECT user, csrf, expires FROM sessions WHERE digest = ?", (digest(session_id),)
        ).fetchone()
        if row is None or row[2] < time.time():
            return None
        user = self.user(row[0])
        return None if user is None else Session(user, row[1], row[2])

    def close_session(self, session_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest(session_id),))

    # -- personal access tokens -----------------------------------------------------------------
    def create_token(self, user: str, label: str, scope: Scope) -> tuple[str, Token]:
        """A new token: its secret text (shown once: ``glp_<id>_<secret>``) and its record."""
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        created = time.time()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (token_id, user, label, scope.value, digest(secret), created),
            )
        text = f"{TOKEN_PREFIX}_{token_id}_{secret}"
        return text, Token(token_id, user, label, scope, created, None)

    def token(self, text: str) -> tuple[User, Token] | None:
        """The user and token that ``text`` (a bearer token) stands for, if valid."""
        prefix, _, rest = text.partition("_")
        token_id, _, secret = rest.partition("_")
        if prefix != TOKEN_PREFIX or not token_id or not secret:
            return None
        row = self._db.execute(
            "SELECT id, user, label, scope, created, revoked, digest FROM tokens WHERE id = ?",
            (token_id,),
        ).fetchone()
        if row is None or row[5] is not None or not hmac.compare_digest(row[6], digest(secret)):
            return None
        user = self.user(row[1])
        if user is None:
            return None
        return user, Token(row[0], row[1], row[2], Scope(row[3]), row[4], row[5])

    def tokens(self, user: str) -> list[Token]:
        rows = self._db.execute(
            "SELECT id, user, label, scope, created, revoked FROM tokens WHERE user = ? "
            "ORDER BY created",
            (user,),
        ).fetchall()
        return [Token(r[0], r[1], r[2], Scope(r[3]), r[4], r[5]) for r in rows]

    def revoke_token(self, user: str, token_id: str) -> bool:
        """Revoke one of ``user``'s tokens; False if they have no such (unrevoked) token."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND user = ? AND revoked IS NULL",
                (time.time(), token_id, user),
            )
        return cursor.rowcount == 1

    # -- audit log ------------------------------------------------------------------------------
    def audit(
        self,
        user: str,
        via: str,
        action: str,
        outcome: str,
        transaction_ids: list[str],
        detail: str = "",
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO audit (at, user, via, action, outcome, transaction_ids, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), user, via, action, outcome, json.dumps(transaction_ids), detail),
            )

    def audit_log(self, user: str | None = None, limit: int = 100) -> list[AuditEntry]:
        where, args = ("WHERE user = ?", (user,)) if user is not None else ("", ())
        rows = self._db.execute(
            f"SELECT seq, at, user, via, action, outcome, transaction_ids, detail FROM audit "
            f"{where} ORDER BY seq DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7])
            for r in rows
        ]

    # -- readings submissions -------------------------------------------------------------------
    def add_submission(self, user: str, readings: list[dict[str, Any]]) -> str:
        submission_id = secrets.token_hex(12)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, 'pending', ?, '{}')",
                (submission_id, user, time.time(), json.dumps(readings)),
            )
        return submission_id

    def finish_submission(self, submission_id: str, status: str, result: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE submissions SET status = ?, result = ?, readings = '[]' WHERE id = ?",
                (status, json.dumps(result), submission_id),
            )

    def submission(self, submission_id: str) -> Submission | None:
        row = self._db.execute(
            "SELECT id, user, created, status, readings, result FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        return None if row is None else _submission(row)

    def pending_submissions(self) -> list[Submission]:
        rows = self._db.execute(
            "SELECT id, user, created, status, readings, result FROM submissions "
            "WHERE status = 'pending' ORDER BY created"
        ).fetchall()
        return [_submission(row) for row in rows]


def _submission(row: Any) -> Submission:
    return Submission(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]))


def _owner_only(path: Path) -> None:
    """Create ``path``'s folder (mode 700) and the file (mode 600) before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)


_DUMMY_HASH = PasswordHasher().hash(secrets.token_urlsafe(16))
