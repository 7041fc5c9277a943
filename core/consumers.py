"""The live feed (SPEC §8): the one WebSocket consumer of screens and dashboards.

Channels is only a doorbell; the events come from ``core.Event`` (RELIABILITY.md).
Protocol, JSON both ways:

client → server
  ``{"type": "resume", "after": n}``  first message after connecting (and after every
      reconnect): "I have everything up to seq n".
  ``{"type": "ping", "after": n}``    heartbeat, every 15 s. The server joins its groups
      again (a Redis restart empties them while sockets stay open) and re-sends
      anything after n.
server → client
  ``{"type": "events", "events": [...]}``  at most 200 events, in seq order.
  ``{"type": "caught_up", "seq": n}``      the resume is complete (n: last seq sent, or
      the client's ``after``).
  ``{"type": "more", "seq": n}``           replay stopped at n (5,000 events a round):
      send ``resume`` with ``after: n`` for the rest.
  ``{"type": "pong", "seq": n}``           answer to a ping.
  ``{"type": "error", "detail": ...}``     a message the server could not read, or
      ``"slow down"``: the frame came while another waited for its turn (rate limit).
Close codes: 4401 not signed in (or the login ended, or the token was refused, revoked
or expired), 4403 no jurisdiction or nothing the user may read (``core.visibility``),
4429 the client kept flooding.

Who: a screen signs in with its browser session, and its ``Origin`` must be this site
(``OriginOrTokenValidator``). A machine client (the provincial platform) authenticates
with an API token instead: ``Authorization: Token <secret>`` on the handshake (with or
without ``Origin``), or — connecting without ``Origin`` — as its first message
``{"type": "auth", "token": "<secret>"}``. A connection without ``Origin`` is never
signed in by a session cookie: any other first message closes it with 4401, as does
silence for AUTH_TIMEOUT seconds. The token is checked again every
TOKEN_RECHECK seconds and on every ping (``ApiTokenAuthentication``'s rules: revoked,
expired, password changed, account inactive → 4401).

Rate limit: ``resume`` and ``ping`` replay from the database. Each connection has a
bucket of REPLAY_BURST replays refilled at REPLAY_RATE a second; a frame that finds it
empty is answered when the next replay is due, and frames arriving meanwhile are folded
into that one (the latest ``after`` wins; a ping among them still gets its pong). The
browser client (static/js/live.js: resume on connect and after "more", ping every 15 s)
never has more than one frame waiting, so it is slowed, never refused.

The client is the source of truth for its position: ``resume`` and ``ping`` set the
connection's cursor to ``after`` and send everything visible after it. Between two client
messages the cursor only moves forward and nothing at or below it is sent again.

Doorbells ({"type": "doorbell", "seq": n} on groups ``jur.<code>``) are received once per
server process, not once per socket: a ``_Hub`` joins the groups of the process's
connections, reads the new events once (all jurisdictions) and wakes every connection,
which sends what its user may see from that shared window. With 200 screens that is one
query and 200 sends per event instead of 200 channel-layer deliveries and 200 queries.
A doorbell for one event carries it (``core.realtime``): when it is the next seq after
the window, the hub takes it as is and reads nothing; after a gap it reads the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from bisect import bisect_right
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.security.websocket import AllowedHostsOriginValidator
from django.db import close_old_connections
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.exceptions import AuthenticationFailed

from core import selectors
from core.api.authentication import KEYWORDS, ApiTokenAuthentication
from core.realtime import encode_event, group_name
from core.visibility import Viewer

logger = logging.getLogger(__name__)

BATCH_SIZE = 200  # events per message
REPLAY_LIMIT = 5000  # events per resume or ping; the client asks again after "more"
WINDOW_SIZE = 1000  # recent events the hub keeps in memory

# Replays read the database: a connection gets a burst of them (connect, then a "more"
# or two), then one a second. A frame that comes too early waits for its turn, and the
# frames that come while one waits are folded into it; after FLOOD_LIMIT such frames
# the connection is closed.
REPLAY_BURST = 3
REPLAY_RATE = 1.0  # replays per second once the burst is spent
FLOOD_LIMIT = 20

AUTH_TIMEOUT = 10.0  # seconds a connection that is not signed in has to send "auth"
TOKEN_RECHECK = 60.0  # seconds between two checks of a token connection's token

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_JURISDICTION = 4403
CLOSE_TOO_MANY_REQUESTS = 4429


def _messages(events: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Encoded events in seq order → protocol messages: (last seq in it, text)."""
    messages = []
    for start in range(0, len(events), BATCH_SIZE):
        chunk = events[start : start + BATCH_SIZE]
        body = ",".join(text for _, text in chunk)
        messages.append((chunk[-1][0], f'{{"type":"events","events":[{body}]}}'))
    return messages


class _Window:
    """Recent events of every jurisdiction, encoded once. Complete over (low, high]:
    every event with ``low < seq <= high`` is here, with what ``Viewer.can_see`` needs."""

    def __init__(self, start: int) -> None:
        self.low = self.high = start
        self.seqs: list[int] = []
        self.paths: list[str] = []
        self.types: list[str] = []
        self.organisations: list[int | None] = []
        self.texts: list[str] = []
        self.rendered: dict[tuple[Viewer, int], list[tuple[int, str]]] = {}

    def extend(self, rows: list[selectors.Row]) -> None:
        """Events read from the log, in seq order."""
        self.extend_encoded(
            [
                (event["seq"], path, organisation_id, event["type"], encode_event(event))
                for path, organisation_id, event in rows
            ]
        )

    def extend_encoded(self, entries: list[tuple[int, str, int | None, str, str]]) -> None:
        """(seq, path, organisation id, type, text) of the events right after ``high``,
        in seq order: read from the log, or carried by their doorbells."""
        for seq, path, organisation_id, kind, text in entries:
            self.seqs.append(seq)
            self.paths.append(path)
            self.types.append(kind)
            self.organisations.append(organisation_id)
            self.texts.append(text)
        # Only seqs actually read or carried move ``high``, never a doorbell's number: a
        # stray doorbell must not make the window skip the event that later takes it.
        self.high = self.seqs[-1]
        drop = len(self.seqs) - WINDOW_SIZE
        if drop > 0:
            self.low = self.seqs[drop - 1]
            del self.seqs[:drop], self.paths[:drop], self.texts[:drop]
            del self.types[:drop], self.organisations[:drop]
        self.rendered.clear()

    def messages_after(self, seq: int, key: Viewer) -> list[tuple[int, str]]:
        """The messages carrying the events above ``seq`` that a user of ``key`` may see,
        rendered once for all the connections of the same viewer at the same place."""
        rendered = self.rendered.get((key, seq))
        if rendered is None:
            start = bisect_right(self.seqs, seq)
            if not key.superuser and not key.path:
                visible = []
            elif key.superuser:
                visible = [(self.seqs[i], self.texts[i]) for i in range(start, len(self.seqs))]
            else:
                # One decision per event type for this render, then a dict look-up and
                # a prefix test per event.
                decisions: dict[str, tuple[bool, bool]] = {}
                own = key.organisation_id
                jurisdiction = key.path
                visible = []
                for i in range(start, len(self.seqs)):
                    if not self.paths[i].startswith(jurisdiction):
                        continue
                    kind = self.types[i]
                    decision = decisions.get(kind)
                    if decision is None:
                        decision = decisions[kind] = key.reads(kind)
                    if decision[0] or (
                        decision[1] and own is not None and self.organisations[i] == own
                    ):
                        visible.append((self.seqs[i], self.texts[i]))
            rendered = self.rendered[(key, seq)] = _messages(visible)
        return rendered


class _Hub:
    """The channel-layer side of the live feed for one server process (one event loop).

    It joins the groups its connections need, listens for doorbells on one channel,
    reads new events into the window and wakes the connections.
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.window = _Window(0)
        self.connections: set[LiveConsumer] = set()
        self.members: dict[str, int] = {}  # group → connections in it
        self.rung = asyncio.Event()
        self.announced = 0  # the highest seq a doorbell announced
        self.carried: dict[int, list[Any]] = {}  # seq → what its doorbell carried
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()

    async def attach(self, connection: LiveConsumer, groups: list[str]) -> None:
        async with self.lock:
            if not self.tasks:
                self.window = _Window(await database_sync_to_async(selectors.latest_seq)())
                self.announced, self.carried = 0, {}
                if self.layer is not None:
                    self.channel = await self.layer.new_channel()
                    self.tasks = [asyncio.create_task(self._listen())]
                self.tasks.append(asyncio.create_task(self._pump()))
            self.connections.add(connection)
            for group in groups:
                self.members[group] = self.members.get(group, 0) + 1
            await self._join(groups)

    async def rejoin(self, old: list[str], new: list[str]) -> None:
        """Move a connection from groups ``old`` to ``new`` and add the process to all
        of ``new`` again (idempotent; heals membership a Redis restart removed)."""
        async with self.lock:
            for group in new:
                self.members[group] = self.members.get(group, 0) + 1
            await self._leave_groups(old)
            await self._join(new)

    async def detach(self, connection: LiveConsumer, groups: list[str]) -> None:
        async with self.lock:
            self.connections.discard(connection)
            await self._leave_groups(groups)
            if not self.connections:
                for task in self.tasks:
                    task.cancel()
                for task in self.tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                self.tasks = []
                for group in list(self.members):
                    await self._leave_groups([group] * self.members[group])
                self.channel = None

    async def _join(self, groups: list[str]) -> None:
        if self.channel is None:
            return
        for group in groups:
            # Twice: after a Redis restart the first command on each pooled connection
            # fails. If Redis is down, the clients' heartbeats keep the screens fed.
            for attempt in (1, 2):
                try:
                    await self.layer.group_add(group, self.channel)
                    break
                except Exception:
                    if attempt == 2:
                        logger.warning("live feed could not join %s", group, exc_info=True)

    async def _leave_groups(self, groups: list[str]) -> None:
        for group in groups:
            self.members[group] = self.members.get(group, 0) - 1
            if self.members[group] > 0:
                continue
            del self.members[group]
            if self.channel is not None:
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:  # membership expires by itself
                    logger.warning("live feed could not leave %s", group, exc_info=True)

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except (TimeoutError, RedisTimeoutError):
                # Idle: redis-py 8's 5 s socket timeout cuts channels_redis's 5 s
                # BZPOPMIN (channels_redis#422). Nothing is wrong; listen again.
                continue
            except Exception:  # Redis restarting: wait, the heartbeats re-join
                failures += 1
                if failures == 1:
                    logger.warning("live feed lost the channel layer; retrying", exc_info=True)
                await asyncio.sleep(min(0.1 * 2**failures, 5.0))
                continue
            failures = 0
            if message.get("type") == "doorbell":
                self._announce(message)

    def _announce(self, message: dict[str, Any]) -> None:
        seq = message.get("seq")
        if not isinstance(seq, int) or seq <= self.window.high:
            return  # the window holds it already
        event = message.get("event")
        if isinstance(event, list | tuple) and len(event) == 4:
            self.carried[seq] = event
        self.announced = max(self.announced, seq)
        self.rung.set()

    async def _pump(self) -> None:
        while True:
            await self.rung.wait()
            self.rung.clear()
            fresh = self._take_carried()
            try:
                if self.announced > self.window.high:
                    fresh |= await self._read_new()
            except Exception:  # database trouble: the next doorbell or heartbeat retries
                logger.warning("live feed could not read new events", exc_info=True)
                await asyncio.sleep(1)
                continue
            if fresh:
                for connection in self.connections:
                    connection.poked.set()

    def _take_carried(self) -> bool:
        """Put into the window the carried events that follow it without a gap; what
        is left after a gap (an overtaken or lost doorbell) is read from the log."""
        carried, self.carried = self.carried, {}
        entries = []
        seq = self.window.high + 1
        while (event := carried.get(seq)) is not None:
            path, organisation_id, kind, text = event
            entries.append((seq, path, organisation_id, kind, text))
            seq += 1
        if entries:
            self.window.extend_encoded(entries)
        return bool(entries)

    async def _read_new(self) -> bool:
        fresh = False
        while True:
            rows = await _read_recent(self.window.high, WINDOW_SIZE)
            if rows:
                self.window.extend(rows)
                fresh = True
            if len(rows) < WINDOW_SIZE:
                return fresh


@sync_to_async(thread_sensitive=True)
def _read_recent(after: int, limit: int) -> list[selectors.Row]:
    """``selectors.recent_events`` on the database thread, the hub's one read per
    doorbell. Not database_sync_to_async: its close_old_connections before each call
    makes the next query start with a health-check round trip (CONN_HEALTH_CHECKS), a
    third of this read's time. The connection is still checked: after an error here,
    and on the heartbeats' database_sync_to_async calls on the same thread."""
    try:
        return selectors.recent_events(after, limit)
    except Exception:
        close_old_connections()  # drops a broken connection; the next read reconnects
        raise


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub] = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = _Hub(layer)
    return hub


class OriginOrTokenValidator:
    """Channels' ``AllowedHostsOriginValidator``, except for a handshake without any
    ``Origin``: no browser sends that, so it passes, marked ``machine_client`` — the
    consumer then ignores the session and accepts only a token."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.validated = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not any(
            name == b"origin" for name, _ in scope.get("headers", ())
        ):
            return await self.application(dict(scope, machine_client=True), receive, send)
        return await self.validated(scope, receive, send)


def _header_token(scope: dict[str, Any]) -> str | None:
    """The secret of an ``Authorization: Token|Bearer <secret>`` handshake header; ""
    for a malformed one; None when there is none."""
    for name, value in scope.get("headers", ()):
        if name != b"authorization":
            continue
        parts = value.split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            return ""
        try:
            return parts[1].decode("ascii")
        except UnicodeDecodeError:
            return ""
    return None


def _token_user_id(secret: str) -> int | None:
    """The user of a valid API token, by the API's own rules; None if refused."""
    if not secret:
        return None
    try:
        user, _token = ApiTokenAuthentication().authenticate_credentials(secret)
    except AuthenticationFailed:
        return None
    return user.pk


def _identity(user_id: int, session_key: str | None) -> tuple[Any, list[str], str] | None:
    user = selectors.live_user(user_id, session_key)
    if user is None:
        return None
    return user, selectors.live_group_codes(user), selectors.visibility_key(user)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Replays and forwards the events a signed-in user may see (module docstring)."""

    # No channel per connection: get_channel_layer() answers None for an alias that is
    # not configured, so channels starts none; the process's _Hub listens for all.
    channel_layer_alias = "live-feed-uses-the-hub"

    async def connect(self) -> None:
        self.user: Any = None
        self.key = ""
        self.joined: list[str] = []
        self.cursor: int | None = None  # last seq sent, or the client's ``after``
        self.covered: int | None = None  # every visible event up to here has been sent
        self.lock = asyncio.Lock()
        self.poked = asyncio.Event()
        self.hub: _Hub | None = None
        self.forwarder: asyncio.Task | None = None
        self.tokens = float(REPLAY_BURST)
        self.stamp = asyncio.get_running_loop().time()
        self.waiting: tuple[bool, bool, int] | None = None  # (resume?, ping?, after)
        self.folded = 0  # frames folded into the waiting one
        self.strikes = 0
        self.later: asyncio.Task | None = None
        self.secret: str | None = None  # the API token of a machine client
        self.awaiting_auth: asyncio.Task | None = None
        self.token_watch: asyncio.Task | None = None
        # Accept before closing so that the browser sees the close code.
        await self.accept()
        secret = _header_token(self.scope)
        if secret is not None:
            await self._start_with_token(secret)
            return
        if self.scope.get("machine_client"):
            # No Origin, so no browser and no session: the token must come first.
            self.awaiting_auth = asyncio.create_task(self._auth_deadline())
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self._start(user.pk)

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(AUTH_TIMEOUT)
        self.awaiting_auth = None
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _authenticate(self, content: Any) -> None:
        """The first message of a connection that is not signed in: ``auth`` or 4401."""
        waiting, self.awaiting_auth = self.awaiting_auth, None
        if waiting is not None:
            waiting.cancel()
        token = content.get("token") if isinstance(content, dict) else None
        if not (isinstance(content, dict) and content.get("type") == "auth") or not isinstance(
            token, str
        ):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self._start_with_token(token)

    async def _start_with_token(self, secret: str) -> None:
        user_id = await database_sync_to_async(_token_user_id)(secret)
        if user_id is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.secret = secret
        if await self._start(user_id):
            self.token_watch = asyncio.create_task(self._watch_token())

    async def _watch_token(self) -> None:
        """Close a token connection whose token was revoked or expired meanwhile."""
        while True:
            await asyncio.sleep(TOKEN_RECHECK)
            if not await self._token_still_valid():
                return

    async def _token_still_valid(self) -> bool:
        if await database_sync_to_async(_token_user_id)(self.secret or "") == self.user.pk:
            return True
        await self._leave()
        await self.close(code=CLOSE_UNAUTHENTICATED)
        return False

    async def _start(self, user_id: int) -> bool:
        """Follow the feed as this user; False (and closed) if it may not."""
        identity = await database_sync_to_async(_identity)(user_id, None)
        if identity is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return False
        self.user, codes, self.key = identity
        if not self.key.reads_anything() or (not codes and not self.user.is_superuser):
            await self.close(code=CLOSE_NO_JURISDICTION)
            return False
        self.joined = [group_name(c) for c in codes]
        self.hub = _hub()
        await self.hub.attach(self, self.joined)
        self.forwarder = asyncio.create_task(self._forward())
        return True

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_json({"type": "error", "detail": "expected a JSON text message"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.awaiting_auth is not None:
            await self._authenticate(content)
            return
        if self.hub is None:
            return
        kind = content.get("type") if isinstance(content, dict) else None
        after = content.get("after", 0) if isinstance(content, dict) else None
        if kind not in ("resume", "ping"):
            await self.send_json({"type": "error", "detail": "unknown message type"})
            return
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.send_json({"type": "error", "detail": "after must be a seq >= 0"})
            return
        await self._admit(kind == "resume", kind == "ping", after)

    async def _admit(self, resume: bool, ping: bool, after: int) -> None:
        """The rate limit (module docstring): answer now, later, or fold and warn."""
        now = asyncio.get_running_loop().time()
        self.tokens = min(REPLAY_BURST, self.tokens + (now - self.stamp) * REPLAY_RATE)
        self.stamp = now
        if self.waiting is not None:
            self.waiting = (self.waiting[0] or resume, self.waiting[1] or ping, after)
            self.folded += 1
            if self.folded > 1:  # one ping beside a waiting resume is the normal client
                self.strikes += 1
                if self.strikes > FLOOD_LIMIT:
                    await self._leave()
                    await self.close(code=CLOSE_TOO_MANY_REQUESTS)
                    return
                await self.send_json({"type": "error", "detail": "slow down"})
            return
        if self.tokens >= 1:
            self.tokens -= 1
            self.strikes = 0
            await self._answer(resume, ping, after)
            return
        self.waiting, self.folded = (resume, ping, after), 0
        self.later = asyncio.create_task(self._answer_later((1 - self.tokens) / REPLAY_RATE))

    async def _answer_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        waiting, self.waiting = self.waiting, None
        self.tokens = 0.0
        self.stamp = asyncio.get_running_loop().time()
        if waiting is None or self.hub is None:
            return
        try:
            await self._answer(*waiting)
        except Exception as exc:  # the socket is going away, or the database is down
            logger.info("live feed could not answer: %r", exc)

    async def _answer(self, resume: bool, ping: bool, after: int) -> None:
        async with self.lock:
            if ping and not await self._refresh():
                return
            self.cursor = self.covered = after
            more = await self._replay()
            if more:
                await self.send_json({"type": "more", "seq": self.cursor})
            elif resume:
                await self.send_json({"type": "caught_up", "seq": self.cursor})
            if ping:
                await self.send_json({"type": "pong", "seq": self.cursor})

    async def _forward(self) -> None:
        """Send what the hub's window holds for this connection, each time it is woken."""
        while True:
            await self.poked.wait()
            self.poked.clear()
            try:
                async with self.lock:
                    if self.covered is None:
                        continue  # before "resume", which reads the database itself
                    window = self.hub.window
                    if self.covered < window.low:  # too far behind the window
                        if await self._replay():
                            await self.send_json({"type": "more", "seq": self.cursor})
                        continue
                    messages = window.messages_after(self.covered, self.key)
                    self.covered = max(self.covered, window.high)
                    await self._deliver(messages)
            except Exception as exc:  # the socket is going away, or the database is down
                logger.info(
                    "live feed could not forward: %r",
                    exc,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )

    async def _replay(self) -> bool:
        """Send every visible event after ``covered`` from the database; True if the
        replay limit cut it short."""
        events, complete = await database_sync_to_async(selectors.replay)(
            self.user, self.covered, REPLAY_LIMIT
        )
        fresh = [(e["seq"], encode_event(e)) for e in events if e["seq"] > self.cursor]
        await self._deliver(_messages(fresh))
        self.covered = max(self.covered, complete)
        return len(events) >= REPLAY_LIMIT

    async def _deliver(self, messages: list[tuple[int, str]]) -> None:
        """Send messages in order, moving the cursor past each one sent."""
        for last, text in messages:
            await self.send(text_data=text)
            self.cursor = last

    async def _refresh(self) -> bool:
        """On a heartbeat: check the login still stands, follow a change of jurisdiction
        and join the groups again (restores membership lost in a Redis restart)."""
        if self.secret is not None:
            if not await self._token_still_valid():
                return False
            session_key = None  # a token connection never rests on a session
        else:
            session = self.scope.get("session")
            session_key = getattr(session, "session_key", None) if session is not None else None
        identity = await database_sync_to_async(_identity)(self.user.pk, session_key)
        if identity is None:
            await self._leave()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return False
        self.user, codes, self.key = identity
        if not self.key.reads_anything() or (not codes and not self.user.is_superuser):
            await self._leave()
            await self.close(code=CLOSE_NO_JURISDICTION)
            return False
        groups = [group_name(c) for c in codes]
        await self.hub.rejoin(self.joined, groups)
        self.joined = groups
        return True

    async def _leave(self) -> None:
        for name in ("awaiting_auth", "token_watch"):
            task = getattr(self, name, None)
            setattr(self, name, None)
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        later, self.later = self.later, None
        if later is not None and later is not asyncio.current_task():
            later.cancel()
        forwarder, self.forwarder = self.forwarder, None
        if forwarder is not None and forwarder is not asyncio.current_task():
            forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarder
        hub, self.hub = self.hub, None
        if hub is not None:
            await hub.detach(self, self.joined)
