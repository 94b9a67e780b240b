"""The server store: users, the workspaces the server hosts, memberships, login sessions,
access tokens, login attempts and the server's audit log, in one SQLite or PostgreSQL database.

Every change is recorded in the server audit log in the same transaction (who, what, which
workspace, when). Reads and writes return frozen records, never ORM objects.

>>> store = ServerStore.open("sqlite://", upgrade=True)
>>> store.add_user("Ana@Example.com", "correct horse", actor="cli").email
'ana@example.com'
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shakhes.errors import ShakhesError, WorkspaceError
from shakhes.server import credentials
from shakhes.server.models import (
    LOCALES,
    ROLES,
    AccessToken,
    LoginAttempt,
    LoginSession,
    Membership,
    ServedWorkspace,
    ServerAuditEntry,
    User,
)
from shakhes.store.db import (
    WRITE_OPTION,
    create_engine_for,
    current_revision,
    session_factory,
)
from shakhes.store.db import upgrade as migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "shakhes_server_version"
HEAD_REVISION = "0001"
LAST_USED_EVERY = dt.timedelta(minutes=1)
ACTION_LENGTH = 60
"""The longest audit action the column holds (Postgres enforces it; SQLite does not)."""
"""How often a token's ``last_used_at`` is brought up to date."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs use psycopg 3 (the driver shakhes ships)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def normalise_email(email: str) -> str:
    """The e-mail as stored: trimmed and lower-case; a clear error when it is not one."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ShakhesError(
            f"'{email}' is not an e-mail address",
            code="bad_email",
            hint="Write it as name@example.com.",
        )
    return value


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ShakhesError(
            f"unknown role '{role}'", code="unknown_role", hint=f"Use one of: {', '.join(ROLES)}."
        )
    return role


class LoginRefused(ShakhesError):
    """Wrong e-mail or password (which of the two is not said)."""

    code = "login_failed"


class TooManyAttempts(ShakhesError):
    """Too many failed logins lately; ``params["retry_after"]`` is in seconds."""

    code = "too_many_attempts"


class UnknownUserError(ShakhesError):
    code = "unknown_user"


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    locale: str
    created_at: dt.datetime
    password_changed_at: dt.datetime


@dataclass(frozen=True)
class WorkspaceInfo:
    id: str
    path: str
    name: str


@dataclass(frozen=True)
class MemberInfo:
    email: str
    user_id: int
    workspace_id: str
    role: str


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user: UserInfo
    csrf_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user_id: int
    name: str
    read_only: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class AuditInfo:
    id: int
    at: dt.datetime
    actor: str
    action: str
    workspace_id: str | None
    subject: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class RateLimits:
    window: dt.timedelta = dt.timedelta(minutes=15)
    per_email: int = 5
    per_client: int = 20


def _user(row: User) -> UserInfo:
    return UserInfo(row.id, row.email, row.locale, row.created_at, row.password_changed_at)


def _token(row: AccessToken) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.user_id,
        row.name,
        row.read_only,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


class ServerStore:
    """The server's own database; thread-safe (one engine, a session per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions: sessionmaker[Session] = session_factory(engine)
        self.writes = 0
        """How many writes this object has made: what it read before one may be out of date
        (:class:`~shakhes.server.state.Recent` drops it)."""

    @classmethod
    def open(cls, url: str, *, upgrade: bool = False) -> ServerStore:
        """Open the store at ``url``; with ``upgrade``, run its migrations first, otherwise
        refuse a store whose schema is not this shakhes' (code ``store_outdated``). A SQLite
        file's folder is created when missing (the server's home, on a first start). A URL
        that names no database shakhes can reach is a user error (``store_unreachable``)."""
        try:
            parsed = make_url(url)
            sqlite = parsed.get_backend_name() == "sqlite"
            if sqlite and parsed.database not in (None, "", ":memory:"):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine_for(normalise_url(url))
        except ArgumentError as exc:
            raise _unreachable(url, exc) from None
        try:
            if upgrade:
                migrate(engine, migrations=MIGRATIONS_DIR)
            revision = current_revision(engine, VERSION_TABLE)
            if revision != HEAD_REVISION:
                raise WorkspaceError(
                    f"the server store at {make_url(url).render_as_string()} is at schema "
                    f"revision {revision or 'none'}; this shakhes needs {HEAD_REVISION}",
                    code="store_outdated",
                    hint="Run `shakhes db upgrade --server` (or start `shakhes serve`).",
                )
        except (OperationalError, ArgumentError) as exc:
            engine.dispose()
            raise _unreachable(url, exc) from None
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def revision(self) -> str | None:
        return current_revision(self.engine, VERSION_TABLE)

    @contextmanager
    def _write(self, actor: str | None = None) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                session.connection(execution_options={WRITE_OPTION: True})
                yield session
        finally:
            self.writes += 1

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @staticmethod
    def _audit(
        session: Session,
        actor: str,
        action: str,
        *,
        workspace: str | None = None,
        subject: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        if len(action) > ACTION_LENGTH:  # a long request path: cut here, whole in the detail
            detail = {**(detail or {}), "action": action}
            action = action[: ACTION_LENGTH - 1] + "…"
        session.add(
            ServerAuditEntry(
                actor=actor, action=action, workspace_id=workspace, subject=subject, detail=detail
            )
        )

    # ---- users ----------------------------------------------------------------------------------

    def _user_row(self, session: Session, email: str) -> User:
        row = session.scalar(select(User).where(User.email == normalise_email(email)))
        if row is None:
            raise UnknownUserError(
                f"no user '{email}'", hint="See `shakhes user list` for the users."
            )
        return row

    def user(self, email: str) -> UserInfo:
        with self._read() as session:
            return _user(self._user_row(session, email))

    def user_by_id(self, user_id: int) -> UserInfo | None:
        with self._read() as session:
            row = session.get(User, user_id)
            return None if row is None else _user(row)

    def users(self) -> list[UserInfo]:
        with self._read() as session:
            return [_user(u) for u in session.scalars(select(User).order_by(User.email))]

    def has_users(self) -> bool:
        with self._read() as session:
            return bool(session.scalar(select(func.count()).select_from(User)))

    def add_user(self, email: str, password: str, *, actor: str, locale: str = "en") -> UserInfo:
        """A new user (code ``user_exists`` when the e-mail is taken)."""
        address = normalise_email(email)
        if locale not in LOCALES:
            raise ShakhesError(f"unknown locale '{locale}'", code="unknown_locale")
        password_hash = credentials.hash_password(password)
        with self._write() as session:
            if session.scalar(select(User.id).where(User.email == address)) is not None:
                raise ShakhesError(
                    f"there is already a user '{address}'",
                    code="user_exists",
                    hint="Give them a role with `shakhes user add EMAIL --role … --workspace …`.",
                )
            row = User(email=address, password_hash=password_hash, locale=locale)
            session.add(row)
            session.flush()
            self._audit(session, actor, "user.add", subject=address)
            return _user(row)

    def set_password(self, email: str, password: str, *, actor: str) -> None:
        """Change a user's password and end all their sessions."""
        password_hash = credentials.hash_password(password)
        with self._write() as session:
            row = self._user_row(session, email)
            row.password_hash = password_hash
            row.password_changed_at = utcnow()
            self._end_sessions(session, row.id)
            self._audit(session, actor, "user.password", subject=row.email)

    def change_password(
        self,
        user_id: int,
        old: str,
        new: str,
        *,
        client: str = "",
        limits: RateLimits = RateLimits(),
    ) -> None:
        """A user changes their own password (the old one must match); all their sessions
        end. A wrong current password counts as a failed login of the user's e-mail, and is
        limited as logins are (``too_many_attempts``): a stolen session cannot guess it."""
        now = utcnow()
        with self._read() as session:
            row = session.get(User, user_id)
            if row is None:
                raise LoginRefused("the current password is wrong")
            email, password_hash = row.email, row.password_hash
            self._check_waits(session, email, client, limits, now - limits.window)
        right = credentials.verify_password(password_hash, old)
        self._checked(email, client, limits, ok=right)
        if not right:
            raise LoginRefused(
                "the current password is wrong",
                hint="Type your current password again.",
                params={"field": "current_password"},
            )
        self.set_password(email, new, actor=email)

    def set_locale(self, user_id: int, locale: str) -> None:
        if locale not in LOCALES:
            raise ShakhesError(
                f"unknown locale '{locale}'", code="unknown_locale", hint="Use en or fa."
            )
        with self._write() as session:
            row = session.get(User, user_id)
            if row is not None:
                row.locale = locale
                self._audit(session, row.email, "user.locale", subject=row.email)

    def remove_user(self, email: str, *, actor: str) -> None:
        """Remove a user with their memberships, sessions and tokens."""
        with self._write() as session:
            row = self._user_row(session, email)
            for model in (Membership, LoginSession, AccessToken):
                session.execute(delete(model).where(model.user_id == row.id))
            session.delete(row)
            self._audit(session, actor, "user.remove", subject=row.email)

    # ---- workspaces and memberships -------------------------------------------------------------

    def register_workspace(self, ws_id: str, path: str, name: str, *, actor: str) -> bool:
        """Host a workspace (or update its folder and name); True when it was new."""
        with self._write() as session:
            row = session.get(ServedWorkspace, ws_id)
            if row is None:
                session.add(ServedWorkspace(id=ws_id, path=path, name=name))
                self._audit(session, actor, "workspace.register", workspace=ws_id, subject=path)
                return True
            if (row.path, row.name) != (path, name):
                row.path, row.name = path, name
                self._audit(session, actor, "workspace.update", workspace=ws_id, subject=path)
            return False

    def workspaces(self) -> list[WorkspaceInfo]:
        with self._read() as session:
            rows = session.scalars(select(ServedWorkspace).order_by(ServedWorkspace.id))
            return [WorkspaceInfo(w.id, w.path, w.name) for w in rows]

    def set_role(self, email: str, ws_id: str, role: str, *, actor: str) -> MemberInfo:
        """Give a user a role in a workspace (replacing the one they had)."""
        _check_role(role)
        with self._write() as session:
            user = self._user_row(session, email)
            if session.get(ServedWorkspace, ws_id) is None:
                raise WorkspaceError(
                    f"the server hosts no workspace '{ws_id}'",
                    code="unknown_workspace",
                    hint="Register it with `shakhes user add … --workspace PATH`.",
                )
            row = session.get(Membership, (user.id, ws_id))
            if row is None:
                session.add(Membership(user_id=user.id, workspace_id=ws_id, role=role))
            elif row.role == role:
                return MemberInfo(user.email, user.id, ws_id, role)
            else:
                self._keep_an_admin(session, row, ws_id)
                row.role = role
            self._audit(
                session,
                actor,
                "member.set",
                workspace=ws_id,
                subject=user.email,
                detail={"role": role},
            )
            return MemberInfo(user.email, user.id, ws_id, role)

    def remove_member(self, email: str, ws_id: str, *, actor: str) -> None:
        with self._write() as session:
            user = self._user_row(session, email)
            row = session.get(Membership, (user.id, ws_id))
            if row is None:
                raise ShakhesError(
                    f"'{user.email}' is not a member of workspace '{ws_id}'",
                    code="not_a_member",
                )
            self._keep_an_admin(session, row, ws_id)
            session.delete(row)
            self._audit(session, actor, "member.remove", workspace=ws_id, subject=user.email)

    @staticmethod
    def _keep_an_admin(session: Session, row: Membership, ws_id: str) -> None:
        """Refuse to take the admin role from a workspace's last admin (nobody could manage
        its members any more)."""
        if row.role != "admin":
            return
        admins = session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.workspace_id == ws_id, Membership.role == "admin")
        )
        if (admins or 0) <= 1:
            raise ShakhesError(
                f"this is the last admin of workspace '{ws_id}'",
                code="last_admin",
                hint="Make someone else admin of the workspace first.",
            )

    def role(self, user_id: int, ws_id: str) -> str | None:
        with self._read() as session:
            row = session.get(Membership, (user_id, ws_id))
            return None if row is None else row.role

    def members(self, ws_id: str) -> list[MemberInfo]:
        with self._read() as session:
            rows = session.execute(
                select(User.email, User.id, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.workspace_id == ws_id)
                .order_by(User.email)
            ).all()
            return [MemberInfo(email, uid, ws_id, role) for email, uid, role in rows]

    def memberships(self, user_id: int) -> list[tuple[WorkspaceInfo, str]]:
        with self._read() as session:
            rows = session.execute(
                select(ServedWorkspace, Membership.role)
                .join(Membership, Membership.workspace_id == ServedWorkspace.id)
                .where(Membership.user_id == user_id)
                .order_by(ServedWorkspace.id)
            ).all()
            return [(WorkspaceInfo(w.id, w.path, w.name), role) for w, role in rows]

    # ---- logins and sessions --------------------------------------------------------------------

    def _retry_after(
        self, session: Session, column: Any, value: str, limit: int, since: dt.datetime
    ) -> int | None:
        times = session.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(times) < limit:
            return None
        oldest = min(times)
        return max(1, int((oldest - since).total_seconds()) + 1)

    def _checked(self, address: str, client: str, limits: RateLimits, *, ok: bool) -> None:
        """After a password check of ``address`` from ``client``: refused
        (``too_many_attempts``) — whatever the check found — when they have had as many failures
        as the limit meanwhile, else a failed check is counted. Checks sent in parallel all pass
        the limit before any is counted, but once it is reached their answers, right or wrong,
        are all the same refusal: no more of them tell anything than checks made in turn. One
        writer at a time (SQLite's ``BEGIN IMMEDIATE``, a table lock on PostgreSQL) orders them;
        right passwords sent at once (a team behind one address) are never refused by each
        other."""
        now = utcnow()
        with self._write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE login_attempts IN SHARE ROW EXCLUSIVE MODE"))
            self._check_waits(session, address, client, limits, now - limits.window)
            if not ok:
                session.add(LoginAttempt(email=address, client=client[:100], at=now))

    def _check_waits(
        self, session: Session, address: str, client: str, limits: RateLimits, since: dt.datetime
    ) -> None:
        """Refuse (``too_many_attempts``) while the e-mail or the client has had too many
        failures since ``since``."""
        waits = [
            self._retry_after(session, LoginAttempt.email, address, limits.per_email, since),
            self._retry_after(session, LoginAttempt.client, client, limits.per_client, since),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            raise TooManyAttempts(
                "too many failed logins; wait before trying again",
                hint=f"Try again in {wait // 60 + 1} minute(s).",
                params={"retry_after": wait},
            )

    def login(
        self,
        email: str,
        password: str,
        *,
        client: str,
        lifetime: dt.timedelta,
        limits: RateLimits = RateLimits(),
    ) -> tuple[SessionInfo, str]:
        """Check a password and open a session; returns it with its token (to put in a cookie).

        Refused with ``too_many_attempts`` after ``limits.per_email`` failures for the e-mail or
        ``limits.per_client`` from the client within ``limits.window``; ``login_failed`` for a
        wrong e-mail or password (which one is not said)."""
        address = email.strip().lower()[:320]
        now = utcnow()
        since = now - limits.window
        with self._read() as session:
            self._check_waits(session, address, client, limits, since)
            row = session.scalar(select(User).where(User.email == address))
        ok = credentials.verify_password(
            row.password_hash if row else credentials.dummy_hash(), password
        )
        self._checked(address, client, limits, ok=row is not None and ok)
        if row is None or not ok:
            raise LoginRefused(
                "wrong e-mail or password", hint="Check both; passwords are case-sensitive."
            )
        token = credentials.new_token()
        csrf = credentials.new_token()
        with self._write() as session:
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.email == address, LoginAttempt.at > since)
            )
            new = LoginSession(
                token_hash=credentials.digest(token),
                user_id=row.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + lifetime,
            )
            session.add(new)
            session.flush()
            self._audit(session, row.email, "session.login", subject=row.email)
            return SessionInfo(new.id, _user(row), csrf, new.expires_at), token

    def session_for(self, token: str) -> SessionInfo | None:
        """The live session whose cookie is ``token`` (None when unknown, ended or expired)."""
        with self._read() as session:
            found = session.execute(
                select(LoginSession, User)
                .join(User, User.id == LoginSession.user_id)
                .where(
                    LoginSession.token_hash == credentials.digest(token),
                    LoginSession.ended_at.is_(None),
                    LoginSession.expires_at > utcnow(),
                )
            ).first()
            if found is None:
                return None
            live, user = found
            return SessionInfo(live.id, _user(user), live.csrf_token, live.expires_at)

    def logout(self, session_id: int) -> None:
        with self._write() as session:
            live = session.get(LoginSession, session_id)
            if live is None or live.ended_at is not None:
                return
            live.ended_at = utcnow()
            user = session.get(User, live.user_id)
            email = user.email if user else "?"
            self._audit(session, email, "session.logout", subject=email)

    @staticmethod
    def _end_sessions(session: Session, user_id: int) -> None:
        session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )

    # ---- personal access tokens -----------------------------------------------------------------

    def create_token(self, user_id: int, name: str, *, read_only: bool) -> tuple[TokenInfo, str]:
        """A new token for the user; its text is returned here and never again."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ShakhesError(
                "a token needs a name of 1 to 100 characters",
                code="bad_token_name",
                hint="Name it after what will use it, e.g. 'looker'.",
            )
        text = credentials.new_token(credentials.TOKEN_PREFIX)
        with self._write() as session:
            user = session.get(User, user_id)
            if user is None:
                raise UnknownUserError(f"no user {user_id}")
            taken = session.scalar(
                select(AccessToken.id).where(
                    AccessToken.user_id == user_id, AccessToken.name == name
                )
            )
            if taken is not None:
                raise ShakhesError(
                    f"you already have a token named '{name}'",
                    code="token_exists",
                    hint="Pick another name, or revoke the old token first.",
                )
            row = AccessToken(
                user_id=user_id,
                name=name,
                token_hash=credentials.digest(text),
                read_only=read_only,
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                user.email,
                "token.create",
                subject=name,
                detail={"read_only": read_only},
            )
            return _token(row), text

    def tokens(self, user_id: int) -> list[TokenInfo]:
        with self._read() as session:
            rows = session.scalars(
                select(AccessToken).where(AccessToken.user_id == user_id).order_by(AccessToken.id)
            )
            return [_token(t) for t in rows]

    def revoke_token(self, user_id: int, token_id: int) -> TokenInfo:
        with self._write() as session:
            row = session.get(AccessToken, token_id)
            if row is None or row.user_id != user_id:
                raise ShakhesError(
                    f"you have no token {token_id}",
                    code="unknown_token",
                    hint="List your tokens to see their ids.",
                )
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                user = session.get(User, user_id)
                self._audit(session, user.email if user else "?", "token.revoke", subject=row.name)
            return _token(row)

    def user_for_token(self, text: str) -> tuple[UserInfo, TokenInfo] | None:
        """The user and token that ``text`` names (None when unknown or revoked); notes its
        use (at most once a minute, so that reads with a token do not each write)."""
        if not text.startswith(credentials.TOKEN_PREFIX):
            return None
        query = (
            select(AccessToken, User)
            .join(User, User.id == AccessToken.user_id)
            .where(
                AccessToken.token_hash == credentials.digest(text),
                AccessToken.revoked_at.is_(None),
            )
        )
        with self._read() as session:
            found = session.execute(query).first()
            if found is None:
                return None
            token, user = found
            now = utcnow()
            if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
                return _user(user), _token(token)
        with self._write() as session:
            session.execute(
                update(AccessToken).where(AccessToken.id == token.id).values(last_used_at=now)
            )
        return _user(user), replace(_token(token), last_used_at=now)

    # ---- audit ----------------------------------------------------------------------------------

    def record(
        self,
        actor: str,
        action: str,
        *,
        workspace: str | None = None,
        subject: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record a change made elsewhere (e.g. in a workspace) in the server's audit log."""
        with self._write() as session:
            self._audit(session, actor, action, workspace=workspace, subject=subject, detail=detail)

    def audit(self, *, workspace: str | None = None, limit: int = 100) -> list[AuditInfo]:
        with self._read() as session:
            query = select(ServerAuditEntry).order_by(ServerAuditEntry.id.desc()).limit(limit)
            if workspace is not None:
                query = query.where(ServerAuditEntry.workspace_id == workspace)
            return [
                AuditInfo(e.id, e.at, e.actor, e.action, e.workspace_id, e.subject, e.detail)
                for e in session.scalars(query)
            ]


def _unreachable(url: str, exc: Exception) -> WorkspaceError:
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = url
    return WorkspaceError(
        f"cannot open the server store at {shown}: {str(exc).splitlines()[0]}",
        code="store_unreachable",
        hint="Check --metadata-url (or SHAKHES_SERVER_METADATA_URL): sqlite:///PATH or "
        "postgresql://USER@HOST/DATABASE.",
    )
