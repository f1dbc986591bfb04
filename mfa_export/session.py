"""Getting a session: from the cache when it can serve, else code -> STS -> cache, under a lock.

The cached path imports neither botocore nor the lock; sts.py and lock.py are imported only on a miss.
"""

from __future__ import annotations

from collections import namedtuple

from mfa_export import codes
from mfa_export.cache import SessionCache, UnusableCache, cache_dir
from mfa_export.errors import ConfigError
from mfa_export.nesting import refuse_if_nested
from mfa_export.settings import CHAINED_ROLE_DURATION

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mfa_export import sts
    from mfa_export.cache import CacheKey
    from mfa_export.credentials import Credentials
    from mfa_export.settings import Settings
    from mfa_export.sts import SeveralDevices
    from mfa_export.summary import Reporter

DISCOVER = "discover"  # the cache key's device when the device is found with iam:ListMFADevices


# The credentials, the device that made them, whether the cache served them, and for a role the
# assumed-role ARN AWS answered with.
class Session(namedtuple("Session", "credentials serial cached identity renewable_until", defaults=(None, None))):
    __slots__ = ()

    if TYPE_CHECKING:
        credentials: Credentials
        serial: str | None
        cached: bool
        identity: str | None
        # For a role session: until when the MFA session can sign a new one (renewing needs no code).
        renewable_until: float | None  # Unix seconds


# An MFA session only has to outlive the AssumeRole call it signs; role sessions are independent of it.
ROLE_SOURCE_MIN_TTL = 60
INTERMEDIATE_ROLE_DURATION = 3600  # a role in the middle of a chain only signs the next AssumeRole


def _chain(settings: Settings) -> list[list[str | None]]:
    return [[step.role_arn, step.external_id, step.session_name] for step in settings.roles]


def _role_keys(settings: Settings, serial: str) -> list[CacheKey]:
    """The key of each role session along the chain: [first role], [first, second], ..."""
    chain = _chain(settings)
    return [SessionCache.key(settings.source_identity, serial, role=chain[:n]) for n in range(1, len(chain) + 1)]


def assumed_with_code(settings: Settings) -> bool:
    """Whether the role is assumed with the long-term keys and a code of its own, not with the MFA
    session: AWS limits a role assumed with temporary credentials (any session, GetSessionToken's
    included: role chaining) to 1 h, so a first-hop role asked for longer needs its own code."""
    return len(settings.roles) == 1 and settings.duration > CHAINED_ROLE_DURATION


def _direct_key(settings: Settings, serial: str) -> CacheKey:
    return SessionCache.key(settings.source_identity, serial, role=_chain(settings), via="code")


def cache_keys(settings: Settings) -> tuple[CacheKey, CacheKey | None]:
    """(key of the MFA session, key of the role session or None) for these settings.

    Keys say what an entry is: the long-term keys, the device and each role of the chain (ARN,
    external id, session name). Two profiles that name the same role therefore share its session.
    """
    serial = settings.serial or DISCOVER
    mfa_key = SessionCache.key(settings.source_identity, serial)
    if assumed_with_code(settings):
        return mfa_key, _direct_key(settings, serial)
    return mfa_key, (_role_keys(settings, serial)[-1] if settings.roles else None)


def every_cache_key(settings: Settings) -> list[CacheKey]:
    """Every entry these settings may read or write (--clear-cache -p NAME removes them all)."""
    keys = []
    for serial in dict.fromkeys([settings.serial or DISCOVER, DISCOVER]):
        keys += [SessionCache.key(settings.source_identity, serial), *_role_keys(settings, serial)]
        if settings.roles:
            keys.append(_direct_key(settings, serial))
    return keys


class SessionSource:
    def __init__(
        self,
        settings: Settings,
        environ: Mapping[str, str],
        reporter: Reporter,
        code: str | None = None,
        use_cache: bool = True,
        force: bool = False,
        min_ttl: float = 900,
        force_mfa: bool = False,
        code_command: str | None = None,
        requested_duration: int | None = None,
    ) -> None:
        self.settings = settings
        self.environ = environ
        self.reporter = reporter
        self.code = code
        self.force = force  # renew what is exported (for a role: a new AssumeRole, no code)
        self.force_mfa = force_mfa  # renew the MFA session too (needs a code)
        self.requested_duration = requested_duration  # -d, when given: a cached session must last that long
        self.min_ttl = min_ttl
        self.code_command = code_command
        self.cache = self._open_cache() if use_cache else None
        self.mfa_key, self.role_key = cache_keys(settings)

    def _open_cache(self) -> SessionCache | None:
        cache = SessionCache(cache_dir(self.environ), self.reporter.warning)
        try:
            cache.ensure_directory()
        except (UnusableCache, OSError) as exc:
            self.reporter.warning(f"not caching sessions: {exc}")
            return None
        return cache

    def get(self) -> Session:
        """The session to export: the MFA session itself, or the role session made with it."""
        if assumed_with_code(self.settings):
            assert self.role_key is not None
            return self._obtain(self.role_key, self._new_role_session_with_code, self.min_ttl)
        if self.settings.roles:
            assert self.role_key is not None  # made with the roles
            session = self._obtain(self.role_key, self._new_role_session, self.min_ttl)
            if session.renewable_until is None and self.cache is not None:
                mfa = self.cache.load(self.mfa_key, warn=False)
                if mfa is not None and mfa["credentials"].seconds_left() > ROLE_SOURCE_MIN_TTL:
                    session = session._replace(renewable_until=mfa["credentials"].expiration)
            return session
        return self._obtain(self.mfa_key, self._new_mfa_session, self.min_ttl)

    @property
    def _exported_key(self) -> CacheKey:
        return self.role_key if self.role_key is not None else self.mfa_key

    def _obtain(self, key: CacheKey, fetch: Callable[[], Session], min_ttl: float) -> Session:
        cached = self._from_cache(key, min_ttl)
        if cached:
            return cached
        refuse_if_nested(self.settings.source_label)  # before the lock: the parent run holds it
        if self.cache is None:
            return fetch()
        from mfa_export.lock import SessionLock, lock_path, lock_timeout, unusable_lock

        path = lock_path(self.cache.path(key))
        problem = unusable_lock(path)
        if problem:
            self.reporter.warning(f"not caching this session: lock {path} {problem}")
            self.cache = None
            return fetch()
        self.cache.remove_stale_temps()
        with SessionLock(path, lock_timeout(self.environ), self.reporter.notice):
            # Another run may have fetched the session while this one waited.
            return self._from_cache(key, min_ttl, quiet=True) or fetch()

    def _from_cache(self, key: CacheKey, min_ttl: float, quiet: bool = False) -> Session | None:
        if self.cache is None or self.force_mfa or (self.force and key == self._exported_key):
            return None
        entry = self.cache.load(key, warn=not quiet)
        if entry is None:
            return None
        credentials = entry["credentials"]
        left = credentials.seconds_left()
        if left <= min_ttl:
            return None
        if key == self._exported_key and self.requested_duration and not self._serves_duration(left, min_ttl, quiet):
            return None
        return Session(credentials, entry.get("serial") or self.settings.serial, True, entry.get("identity"))

    def _serves_duration(self, left: float, min_ttl: float, quiet: bool) -> bool:
        """Whether a cached session with ``left`` seconds does what -d asked (within --min-ttl)."""
        from mfa_export.summary import relative

        asked = self.requested_duration or 0
        if left < asked - min_ttl:
            if not quiet:
                needs = "" if self.settings.roles else ", which needs an MFA code"
                self.reporter.notice(
                    f"the cached session has {relative(left)[3:]} left, less than -d asks "
                    f"({asked // 60}m): getting a new one{needs}"
                )
            return False
        if left > asked + min_ttl and not quiet:
            self.reporter.notice(
                f"using the cached session, which lasts longer than -d asks ({relative(left)[3:]} left); "
                "--force gets one of that length"
            )
        return True

    def _store(self, key: CacheKey, session: Session, profile: str | None) -> None:
        if self.cache is None:
            return
        try:
            self.cache.store(
                key, session.credentials, profile=profile, serial=session.serial, identity=session.identity
            )
        except OSError as exc:
            self.reporter.warning(f"could not cache the session: {exc}")

    def _device(self, source: sts.Source) -> str:
        """The MFA device: named in the settings, else the only one (or the chosen one) IAM lists."""
        from mfa_export import sts

        serial = self.settings.serial
        if serial is None:
            try:
                serial = sts.discover_serial(source)
            except sts.SeveralDevices as several:
                serial = self._choose_device(several)
            else:
                self.reporter.notice(f"using MFA device {serial}, the only one listed for this IAM user")
        return serial

    def _new_role_session_with_code(self) -> Session:
        """A first-hop role for more than 1 h: AssumeRole with the long-term keys, the device and a
        code, as botocore's AssumeRole provider does for such a profile (no MFA session involved)."""
        from mfa_export import sts

        sts.start_budget(self.environ)
        source = sts.Source(self.settings, self.environ)
        serial = self._device(source)
        step = self.settings.roles[0]
        hours = f"{self.settings.duration // 3600}h{self.settings.duration % 3600 // 60:02d}m"
        why = (
            f"a {hours} session of {step.role_arn} needs an MFA code of its own: AWS limits a role "
            "assumed with the cached MFA session to 1h"
        )
        code = self.code or self._code_for(serial, why)
        name = step.session_name or default_session_name(serial)
        credentials, identity = sts.assume_role(
            source, step, name, self.settings.duration, self.settings.region, mfa=(serial, code)
        )
        session = Session(credentials, serial, False, identity)
        assert self.role_key is not None
        self._store(self.role_key, session, self.settings.selected)
        return session

    def _new_mfa_session(self) -> Session:
        from mfa_export import sts  # the expensive import: only when AWS must be asked

        sts.start_budget(self.environ)
        source = sts.Source(self.settings, self.environ)
        serial = self._device(source)
        code = self.code or self._code_for(serial)
        credentials = sts.get_session_token(source, serial, code, self.settings.mfa_duration, self.settings.region)
        session = Session(credentials, serial, False)
        self._store(self.mfa_key, session, self.settings.profile)
        if self.settings.serial is None:  # found by discovery: also where naming the device finds it
            self._store(SessionCache.key(self.settings.source_identity, serial), session, self.settings.profile)
        return session

    def _new_role_session(self) -> Session:
        # One MFA session serves every role with the same keys and device: switching roles needs no code.
        mfa = self._obtain(self.mfa_key, self._new_mfa_session, ROLE_SOURCE_MIN_TTL)
        from mfa_export import sts

        sts.start_budget(self.environ)
        credentials, label, identity = mfa.credentials, "the MFA session", None
        configuration = sts.config_session(self.settings)
        roles = self.settings.roles
        prefixes = _role_keys(self.settings, self.settings.serial or DISCOVER)
        # A chain starts from the longest part of it that is cached (prod's session serves deploy).
        start = 0
        for length in range(len(roles) - 1, 0, -1):
            held = self._from_cache(prefixes[length - 1], ROLE_SOURCE_MIN_TTL, quiet=True)
            if held is not None:
                credentials, label, start = held.credentials, f"the session of {roles[length - 1].role_arn}", length
                break
        last = len(roles) - 1
        for index in range(start, len(roles)):
            step = roles[index]
            signer = sts.SessionSigner(credentials, configuration, label)
            duration = self.settings.duration if index == last else INTERMEDIATE_ROLE_DURATION
            name = step.session_name or default_session_name(mfa.serial)
            credentials, identity = sts.assume_role(signer, step, name, duration, self.settings.region)
            label = f"the session of {step.role_arn}"
            if index < last:  # an intermediate role: cached for the profiles that name it
                self._store(prefixes[index], Session(credentials, mfa.serial, False, identity), step.origin)
        session = Session(credentials, mfa.serial, False, identity, mfa.credentials.expiration)
        assert self.role_key is not None
        self._store(self.role_key, session, self.settings.selected)
        return session

    def _choose_device(self, several: SeveralDevices) -> str:
        """Ask on the terminal which device to use, and say how to make the choice permanent."""
        devices = several.devices
        profile = self.settings.profile
        section = "[default]" if profile == "default" else f"[profile {profile}]"
        where = f"under {section} in {self.settings.config_file}" if profile else "in $AWS_MFA_SERIAL"
        try:
            chosen = codes.choose_device(devices)
        except codes.NoTerminal:
            line = f"mfa_serial = {devices[0]}" if profile else f"AWS_MFA_SERIAL={devices[0]}"
            raise ConfigError(
                several.message, f"pass --serial-number ARN, or make a choice permanent {where}, e.g. {line}"
            ) from None
        line = f"mfa_serial = {chosen}" if profile else f"AWS_MFA_SERIAL={chosen}"
        self.reporter.notice(f"using MFA device {chosen}; to skip this question, add {where}: {line}")
        return chosen

    def _code_for(self, serial: str, why: str | None = None) -> str:
        """A code from the code command, the profile's mfa_process, or the terminal (``why``: what the
        prompt says first, and a missing terminal's message)."""
        if self.code_command:
            return codes.code_from_command(
                self.code_command, "--code-command", self.environ, codes.command_timeout(self.environ)
            )
        if self.settings.code_command:
            origin = f"mfa_process of profile {self.settings.selected or self.settings.profile}"
            return codes.code_from_command(
                self.settings.code_command, origin, self.environ, codes.command_timeout(self.environ)
            )
        return codes.prompt_for_code(serial, why=why)


def default_session_name(serial: str | None) -> str:
    """ "mfa-export-doug" for arn:...:mfa/doug: CloudTrail then says who assumed the role."""
    device = (serial or "session").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "_+=,.@-") else "-" for c in device)
    return ("mfa-export-" + cleaned)[:64]
