"""The bundle poller: fetch, check, and apply at rest (the controller only starts it and routes).

Every change is audited: ``bundle_fetched`` (checked, waiting for the screen to be at rest),
``bundle_applied``, ``bundle_refused`` (bad signature, invalid content, an older version, another
group — the terminal keeps the bundle it has), ``bundle_rolled_back``, ``bundle_restored`` (at
start) and ``bundle_damaged`` (the kept bundle no longer verifies at start). A bundle is applied
only when no citizen is at the screen: ``at_rest_for`` (kiosk.session) says how long the attract
screen has stood untouched, and a citizen never sees the content change under their finger.

The poll asks with ``If-None-Match`` naming the bundle the terminal has and the last one it refused,
so an unchanged or already-refused bundle costs a 304 and is not audited again on every poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from kiosk.backend.errors import BackendError
from kiosk.backend.verifier import run_verifier
from kiosk.bundles.bundle import (
    Bundle,
    BundleRefused,
    check_bundle_in_worker,
    check_content,
    check_signature,
    parse_wire,
)
from kiosk.bundles.port import BundleSource
from kiosk.bundles.store import BundleStore
from kiosk.settings.bundles import BundlesConfig
from kiosk.settings.model import KioskConfig

log = logging.getLogger(__name__)
REST_CHECK_SECONDS = 1.0


class BundleService:
    def __init__(
        self,
        settings: BundlesConfig,
        issuer_keys: dict[str, str],
        base: KioskConfig,
        source: BundleSource,
        store: BundleStore,
        audit: Any,
        at_rest_for: Callable[[], float | None],
        on_apply: Callable[[Bundle | None], None],
    ) -> None:
        self.settings = settings
        self.issuer_keys = dict(issuer_keys)
        self.base = base
        self.source = source
        self.store = store
        self.audit = audit
        self.at_rest_for = at_rest_for
        self.on_apply = on_apply
        self.active: Bundle | None = None
        self.pending: tuple[Bundle, str] | None = None  # checked, waiting for rest; with its ETag
        self._refused_etag = ""

    # ------------------------------------------------------------------ state
    @property
    def version(self) -> int:
        return self.active.version if self.active is not None else 0

    def _recheck(self, version: int | None) -> Bundle | None:
        """A kept bundle read back and verified again (the state dir is not a trust anchor)."""
        if version is None:
            return None
        body = self.store.read(version)
        if body is None:
            return None
        try:
            wire = parse_wire(body)
            check_signature(wire, self.issuer_keys, self.settings.signing_key_id)
            return check_content(wire, self.base)
        except BundleRefused as exc:
            log.warning("kept bundle %s no longer verifies: %s", version, exc.kind)
            return None

    def restore(self) -> Bundle | None:
        """At start: the bundle applied last, verified again; else the shipped files serve."""
        pointer = self.store.pointer()
        bundle = self._recheck(pointer.current)
        if pointer.damaged:
            self.audit.record("bundle_damaged", version=None, what="state.json", highest=pointer.highest)
        elif pointer.current is not None and bundle is None:
            self.audit.record("bundle_damaged", version=pointer.current)
        self.active = bundle
        if bundle is not None:
            self.audit.record("bundle_restored", group=bundle.group, version=bundle.version)
            self.on_apply(bundle)
        return bundle

    # ------------------------------------------------------------------ fetching
    def _if_none_match(self) -> str | None:
        tags = [t for t in (self.store.pointer().etag, self._refused_etag) if t]
        if self.pending is not None:
            tags.append(self.pending[1])
        return ", ".join(tags) or None

    async def poll_once(self) -> str:
        """One poll: ``unchanged``, ``fetched`` (pending until rest), ``refused`` or ``unavailable``."""
        try:
            fetched = await self.source.fetch_bundle(self.settings.group, self._if_none_match())
        except BackendError as exc:
            log.info("bundle poll failed: %s", exc.kind.value)
            return "unavailable"
        if fetched is None:
            return "unchanged"
        highest = max(self.store.pointer().highest, self.version)
        try:
            # pure-Python SM2 and the content checks take ~75 ms: in the verifier process, as records
            # are, so they never hold this interpreter's GIL while a citizen uses the screen
            bundle = await run_verifier(
                check_bundle_in_worker,
                dict(fetched.body),
                self.settings.group,
                dict(self.issuer_keys),
                self.settings.signing_key_id,
                self.base,
                highest,
            )
        except BundleRefused as exc:
            self._refused_etag = fetched.etag
            version = fetched.body.get("version") if isinstance(fetched.body, dict) else None
            self.audit.record(
                "bundle_refused",
                group=self.settings.group,
                kind=exc.kind,
                reason=exc.reason[:300],
                version=version if isinstance(version, int) else None,
                kept=self.version,
            )
            log.warning("bundle refused (%s), keeping version %s", exc.kind, self.version)
            return "refused"
        self.pending = (bundle, fetched.etag)
        self.audit.record("bundle_fetched", group=bundle.group, version=bundle.version)
        return "fetched"

    # ------------------------------------------------------------------ applying
    def apply_if_at_rest(self) -> bool:
        """Apply the pending bundle when the screen has been at rest long enough."""
        if self.pending is None:
            return False
        rest = self.at_rest_for()
        if rest is None or rest < self.settings.apply_after_rest_seconds:
            return False
        bundle, etag = self.pending
        try:
            self.store.apply(bundle.version, bundle.wire.model_dump(), etag)
        except OSError as exc:
            self.audit.record("bundle_apply_failed", version=bundle.version, error=type(exc).__name__)
            return False  # tried again at the next rest
        self.pending = None
        previous = self.version
        self.active = bundle
        self.on_apply(bundle)
        self.audit.record("bundle_applied", group=bundle.group, version=bundle.version, previous=previous)
        return True

    def rollback(self) -> Bundle | None:
        """The previous bundle (or the shipped files) back; audited. Newer ones than the one rolled
        back from are still taken when the backend publishes them."""
        left = self.version
        pointer = self.store.rollback()
        bundle = self._recheck(pointer.current)
        self.active = bundle
        self.pending = None
        self.on_apply(bundle)
        self.audit.record(
            "bundle_rolled_back", group=self.settings.group, version=self.version, left_version=left
        )
        return bundle

    async def run(self) -> None:
        """Poll every ``poll_seconds``; between polls, apply a pending bundle once at rest."""
        loop = asyncio.get_running_loop()
        next_poll = loop.time()
        while True:
            if loop.time() >= next_poll:
                try:
                    await self.poll_once()
                except Exception:  # one bad poll must not end the poller
                    log.exception("bundle poll failed")
                next_poll = loop.time() + self.settings.poll_seconds
            try:
                self.apply_if_at_rest()
            except Exception:  # never end the poller; the bundle stays pending and is tried again
                log.exception("bundle apply failed")
            await asyncio.sleep(REST_CHECK_SECONDS)
