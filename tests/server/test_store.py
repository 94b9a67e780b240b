"""The server store on SQLite and PostgreSQL: users, roles, sessions, tokens, rate limits and
the audit log, checked in the database itself (what is stored, what is not)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.server import SERVER_HASHER, StorePool

from shakhes.errors import ShakhesError
from shakhes.server.store import (
    HEAD_REVISION,
    VERSION_TABLE,
    LoginRefused,
    RateLimits,
    ServerStore,
    TooManyAttempts,
    UnknownUserError,
    normalise_url,
)

HOUR = dt.timedelta(hours=1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A new store that has not been migrated."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    from store.conftest import new_pg_database

    with new_pg_database() as pg_url:
        yield pg_url


@pytest.fixture
def store(kind: str, tmp_path: Path, store_pool: StorePool) -> Iterator[ServerStore]:
    """A new, migrated store (from the pool: support/server.py) with two workspaces."""
    with store_pool.url(kind, tmp_path) as migrated:
        opened = ServerStore.open(migrated)
        try:
            opened.register_workspace("acme", "/srv/acme", "Acme", actor="test")
            opened.register_workspace("other", "/srv/other", "Other", actor="test")
            yield opened
        finally:
            opened.close()


def _rows(store: ServerStore, query: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as con:
        return [tuple(r) for r in con.execute(sa.text(query))]


def test_migrations_use_their_own_version_table(store: ServerStore) -> None:
    assert _rows(store, f"SELECT version_num FROM {VERSION_TABLE}") == [(HEAD_REVISION,)]
    assert "alembic_version" not in sa.inspect(store.engine).get_table_names()


def test_an_unmigrated_store_is_refused_with_a_hint(url: str) -> None:
    with pytest.raises(ShakhesError) as info:
        ServerStore.open(url)
    assert info.value.code == "store_outdated"
    assert "shakhes db upgrade --server" in (info.value.hint or "")
    migrated = ServerStore.open(url, upgrade=True)  # what the hint's command does
    try:
        assert migrated.revision() == HEAD_REVISION
    finally:
        migrated.close()


def test_email_is_unique_whatever_its_case_and_the_password_is_stored_as_argon2id(
    store: ServerStore,
) -> None:
    user = store.add_user("  Ana@Example.COM ", "correct horse", actor="test")
    assert user.email == "ana@example.com"
    with pytest.raises(ShakhesError) as info:
        store.add_user("ANA@example.com", "another one", actor="test")
    assert info.value.code == "user_exists"
    [(stored,)] = _rows(store, "SELECT password_hash FROM users")
    assert str(stored).startswith("$argon2id$") and "correct horse" not in str(stored)


def test_passwords_are_hashed_at_argon2s_recommended_cost() -> None:
    """The server's hasher (the tests hash at the smallest cost: support/server.py) is
    argon2id with argon2-cffi's defaults, RFC 9106's low-memory recommendation: 64 MiB,
    3 passes, 4 lanes."""
    from argon2 import PasswordHasher
    from argon2.profiles import RFC_9106_LOW_MEMORY

    hasher = SERVER_HASHER()  # the server's, not the tests' cheap one
    assert isinstance(hasher, PasswordHasher)
    assert hasher._parameters == RFC_9106_LOW_MEMORY
    assert hasher.hash("correct horse").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_bad_emails_and_short_passwords_are_refused(store: ServerStore) -> None:
    for email in ("ana", "ana@", "@example.com", "ana@example", "a na@example.com"):
        with pytest.raises(ShakhesError) as info:
            store.add_user(email, "long enough", actor="test")
        assert info.value.code == "bad_email"
    with pytest.raises(ShakhesError) as info:
        store.add_user("ana@example.com", "short", actor="test")
    assert info.value.code == "weak_password"


def test_roles_per_workspace(store: ServerStore) -> None:
    user = store.add_user("ana@example.com", "correct horse", actor="test")
    store.set_role("ana@example.com", "acme", "editor", actor="test")
    store.set_role("ANA@example.com", "other", "viewer", actor="test")
    assert store.role(user.id, "acme") == "editor"
    assert [(w.id, r) for w, r in store.memberships(user.id)] == [
        ("acme", "editor"),
        ("other", "viewer"),
    ]
    store.set_role("ana@example.com", "acme", "admin", actor="test")
    assert [(m.email, m.role) for m in store.members("acme")] == [("ana@example.com", "admin")]
    store.remove_member("ana@example.com", "other", actor="test")
    assert store.role(user.id, "other") is None
    with pytest.raises(ShakhesError) as info:
        store.set_role("ana@example.com", "acme", "owner", actor="test")
    assert info.value.code == "unknown_role"
    with pytest.raises(ShakhesError) as info:
        store.set_role("ana@example.com", "nowhere", "viewer", actor="test")
    assert info.value.code == "unknown_workspace"


def test_login_stores_only_the_digest_of_the_session_token(store: ServerStore) -> None:
    store.add_user("ana@example.com", "correct horse", actor="test")
    session, token = store.login("Ana@Example.com", "correct horse", client="c", lifetime=HOUR)
    assert session.user.email == "ana@example.com"
    [(stored,)] = _rows(store, "SELECT token_hash FROM sessions")
    assert stored == hashlib.sha256(token.encode()).hexdigest() != token
    found = store.session_for(token)
    assert found is not None and found.csrf_token == session.csrf_token
    assert store.session_for(token + "x") is None


def test_a_wrong_password_or_unknown_email_is_refused_alike(store: ServerStore) -> None:
    store.add_user("ana@example.com", "correct horse", actor="test")
    messages = set()
    for email, password in (("ana@example.com", "wrong horse"), ("bob@example.com", "x" * 9)):
        with pytest.raises(LoginRefused) as info:
            store.login(email, password, client="c", lifetime=HOUR)
        messages.add(info.value.message)
    assert messages == {"wrong e-mail or password"}


def test_expired_and_ended_sessions_do_not_authenticate(store: ServerStore) -> None:
    store.add_user("ana@example.com", "correct horse", actor="test")
    _, expired = store.login(
        "ana@example.com", "correct horse", client="c", lifetime=dt.timedelta(seconds=-1)
    )
    assert store.session_for(expired) is None
    session, token = store.login("ana@example.com", "correct horse", client="c", lifetime=HOUR)
    store.logout(session.id)
    assert store.session_for(token) is None


def test_a_password_change_ends_every_session_of_the_user_only(store: ServerStore) -> None:
    ana = store.add_user("ana@example.com", "correct horse", actor="test")
    store.add_user("bob@example.com", "battery staple", actor="test")
    tokens = [
        store.login("ana@example.com", "correct horse", client="c", lifetime=HOUR)[1]
        for _ in range(2)
    ]
    _, bob = store.login("bob@example.com", "battery staple", client="c", lifetime=HOUR)
    with pytest.raises(LoginRefused):
        store.change_password(ana.id, "not it at all", "new password")
    assert all(store.session_for(t) is not None for t in tokens)
    store.change_password(ana.id, "correct horse", "new password")
    assert [store.session_for(t) for t in tokens] == [None, None]
    assert store.session_for(bob) is not None
    with pytest.raises(LoginRefused):
        store.login("ana@example.com", "correct horse", client="c", lifetime=HOUR)
    store.login("ana@example.com", "new password", client="c", lifetime=HOUR)


def test_failed_logins_are_limited_per_email_and_per_client(store: ServerStore) -> None:
    store.add_user("ana@example.com", "correct horse", actor="test")
    limits = RateLimits(window=dt.timedelta(minutes=15), per_email=3, per_client=5)
    for _ in range(3):
        with pytest.raises(LoginRefused):
            store.login("ana@example.com", "nope nope", client="a", lifetime=HOUR, limits=limits)
    with pytest.raises(TooManyAttempts) as info:  # even with the right password
        store.login("ana@example.com", "correct horse", client="b", lifetime=HOUR, limits=limits)
    retry = info.value.params["retry_after"]
    assert 14 * 60 < retry <= 15 * 60 + 1
    # client "a" failed 3 times; two more (other e-mails) reach its limit of 5
    for n in range(2):
        with pytest.raises(LoginRefused):
            store.login(f"x{n}@example.com", "nope nope", client="a", lifetime=HOUR, limits=limits)
    with pytest.raises(TooManyAttempts):
        store.login("new@example.com", "whatever1", client="a", lifetime=HOUR, limits=limits)
    # failures older than the window no longer count
    with store.engine.begin() as con:
        con.execute(
            sa.text("UPDATE login_attempts SET at = :at"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)},
        )
    store.login("ana@example.com", "correct horse", client="a", lifetime=HOUR, limits=limits)


def test_guesses_sent_at_once_are_limited_as_guesses_in_turn(
    store: ServerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight wrong passwords sent at once, each check slow (as argon2id is): three answered
    "wrong", the other five refused — parallel guesses all pass the limit before any is
    counted, but once it is reached their answers are the same refusal, so no more of them
    tell anything than guesses made in turn. The same for a password change's current
    password; a right one is not counted. And eight right passwords at once all log in."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from shakhes.server import credentials

    ana = store.add_user("ana@example.com", "correct horse", actor="test")
    real = credentials.verify_password

    def slow(password_hash: str, password: str) -> bool:
        time.sleep(0.2)
        return real(password_hash, password)

    monkeypatch.setattr(credentials, "verify_password", slow)
    limits = RateLimits(window=dt.timedelta(minutes=15), per_email=3, per_client=100)
    start = threading.Barrier(8)

    def guess(n: int) -> str:
        start.wait()
        try:
            if n % 2:
                store.login("ana@example.com", f"guess {n}", client="a", lifetime=HOUR,
                            limits=limits)  # fmt: skip
            else:
                store.change_password(ana.id, f"guess {n}", "taken over 123", client="a",
                                      limits=limits)  # fmt: skip
        except ShakhesError as error:
            return error.code
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(guess, range(8)))
    assert codes == ["login_failed"] * 3 + ["too_many_attempts"] * 5

    bob = store.add_user("bob@example.com", "bob's password", actor="test")
    at_once = threading.Barrier(8)

    def log_in(_: int) -> int:
        at_once.wait()
        session, _token = store.login("bob@example.com", "bob's password", client="a",
                                      lifetime=HOUR, limits=limits)  # fmt: skip
        return session.user.id

    with ThreadPoolExecutor(8) as pool:  # a team's scripts, the same account: none refused
        assert list(pool.map(log_in, range(8))) == [bob.id] * 8
    # Once the window has passed, the right current password changes it and is not counted.
    with store.engine.begin() as con:
        con.execute(
            sa.text("UPDATE login_attempts SET at = :at"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)},
        )
    store.change_password(ana.id, "correct horse", "a new password", client="a", limits=limits)
    with store.engine.connect() as con:
        recent = con.execute(
            sa.text("SELECT count(*) FROM login_attempts WHERE at > :since"),
            {"since": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)},
        ).scalar()
    assert recent == 0


def test_tokens_are_shown_once_stored_hashed_and_revocable(store: ServerStore) -> None:
    ana = store.add_user("ana@example.com", "correct horse", actor="test")
    info, text = store.create_token(ana.id, "looker", read_only=True)
    assert text.startswith("shk_") and len(text) > 40
    [(stored,)] = _rows(store, "SELECT token_hash FROM access_tokens")
    assert stored == hashlib.sha256(text.encode()).hexdigest()
    found = store.user_for_token(text)
    assert found is not None and found[0].email == "ana@example.com" and found[1].read_only
    assert store.tokens(ana.id)[0].last_used_at is not None
    with pytest.raises(ShakhesError) as err:
        store.create_token(ana.id, "looker", read_only=False)
    assert err.value.code == "token_exists"
    bob = store.add_user("bob@example.com", "battery staple", actor="test")
    with pytest.raises(ShakhesError) as err:
        store.revoke_token(bob.id, info.id)  # not his
    assert err.value.code == "unknown_token"
    assert store.revoke_token(ana.id, info.id).revoked_at is not None
    assert store.user_for_token(text) is None


def test_removing_a_user_removes_their_roles_sessions_and_tokens(store: ServerStore) -> None:
    ana = store.add_user("ana@example.com", "correct horse", actor="test")
    store.set_role("ana@example.com", "acme", "admin", actor="test")
    _, token = store.login("ana@example.com", "correct horse", client="c", lifetime=HOUR)
    _, pat = store.create_token(ana.id, "ci", read_only=False)
    store.remove_user("ana@example.com", actor="test")
    assert store.session_for(token) is None and store.user_for_token(pat) is None
    assert store.members("acme") == []
    with pytest.raises(UnknownUserError):
        store.user("ana@example.com")


def test_every_change_is_in_the_audit_log(store: ServerStore) -> None:
    ana = store.add_user("ana@example.com", "correct horse", actor="root")
    store.set_role("ana@example.com", "acme", "viewer", actor="root")
    session, _ = store.login("ana@example.com", "correct horse", client="c", lifetime=HOUR)
    info, _ = store.create_token(ana.id, "ci", read_only=False)
    store.revoke_token(ana.id, info.id)
    store.logout(session.id)
    store.set_password("ana@example.com", "new password", actor="root")
    store.remove_member("ana@example.com", "acme", actor="root")
    store.remove_user("ana@example.com", actor="root")
    actions = [(e.actor, e.action, e.workspace_id) for e in reversed(store.audit())]
    assert actions[-9:] == [
        ("root", "user.add", None),
        ("root", "member.set", "acme"),
        ("ana@example.com", "session.login", None),
        ("ana@example.com", "token.create", None),
        ("ana@example.com", "token.revoke", None),
        ("ana@example.com", "session.logout", None),
        ("root", "user.password", None),
        ("root", "member.remove", "acme"),
        ("root", "user.remove", None),
    ]
    assert [e.action for e in store.audit(workspace="acme")] == [
        "member.remove",
        "member.set",
        "workspace.register",
    ]


def test_a_long_request_path_is_recorded_cut_and_whole_in_the_detail(store: ServerStore) -> None:
    """The middleware records each change as its method and path, which may be longer than the
    column: Postgres refused it (a 500 after the change was made); now it is cut and kept."""
    path = "DELETE /api/v1/workspaces/acme/members/" + "someone.with.a.long.name@example.com"
    store.record("root", path, workspace="acme")
    [entry] = store.audit(workspace="acme", limit=1)
    assert len(path) > 60 and len(entry.action) == 60
    assert entry.action == path[:59] + "…" and entry.detail == {"action": path}


def test_postgres_urls_use_psycopg() -> None:
    assert normalise_url("postgres://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_last_admin_of_a_workspace_stays_admin(store: ServerStore) -> None:
    store.add_user("ana@example.com", "correct horse", actor="test")
    store.add_user("bob@example.com", "battery staple", actor="test")
    store.set_role("ana@example.com", "acme", "admin", actor="test")
    for change in (
        lambda: store.set_role("ana@example.com", "acme", "editor", actor="test"),
        lambda: store.remove_member("ana@example.com", "acme", actor="test"),
    ):
        with pytest.raises(ShakhesError) as info:
            change()
        assert info.value.code == "last_admin"
    store.set_role("bob@example.com", "acme", "admin", actor="test")
    store.set_role("ana@example.com", "acme", "editor", actor="test")
    assert {(m.email, m.role) for m in store.members("acme")} == {
        ("ana@example.com", "editor"),
        ("bob@example.com", "admin"),
    }


def test_the_migrations_build_the_schema_the_models_describe(store: ServerStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from shakhes.server.models import ServerBase

    with store.engine.connect() as con:
        context = MigrationContext.configure(
            con, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, ServerBase.metadata) == []
