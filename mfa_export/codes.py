"""Where the MFA code comes from: the CODE argument, stdin ("-"), or a prompt on the terminal device.

The prompt uses /dev/tty, not stdin/stdout: stdout is captured by the caller's eval and stdin may be
a pipe, but the terminal is still the person's.
"""

from __future__ import annotations

from mfa_export.errors import UsageError
from mfa_export.inputs import parse_code

TYPE_CHECKING = False  # typing is not imported at run time: it costs the cached path
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

TTY_PATH = "/dev/tty"
PROMPT_ATTEMPTS = 3
MAX_INPUT = 4096  # a code is 6 digits: more than this on stdin or from a code command is not a code

# Never handed to a code command: it only has to print a code, and in env-key mode these are the
# long-term keys.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)


def code_from_argument(code_arg: str | None, stdin: TextIO | None) -> str | None:
    """The code given on the command line (or on stdin for "-"); None when none was given."""
    if code_arg is None:
        return None
    if code_arg == "-":
        line = stdin.readline(MAX_INPUT + 1) if stdin is not None else ""
        if len(line) > MAX_INPUT:
            raise UsageError(
                f"CODE is '-' but stdin gave more than {MAX_INPUT} characters without a line break",
                "pipe only the 6-digit code in, e.g. echo 123456 | mfa-export -",
            )
        if not line.strip():
            raise UsageError(
                "CODE is '-' but stdin gave no code", "pipe the 6-digit code in, e.g. echo 123456 | mfa-export -"
            )
        return parse_code(line)
    return parse_code(code_arg)


class NoTerminal(UsageError):
    pass


class _Terminal:
    """The person's terminal, for questions: stdout is the caller's eval and stdin may be a pipe."""

    def __init__(self, tty_path: str, why_needed: str) -> None:
        try:
            # Two handles: a terminal is not seekable, so a single "r+" text stream cannot be opened on it.
            self.reader = open(tty_path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed in close()
            self.writer = open(tty_path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError:
            raise NoTerminal(why_needed) from None

    def say(self, text: str) -> None:
        self.writer.write(text)
        self.writer.flush()

    def ask(self, question: str) -> str:
        """The answer line ("" at end of input)."""
        self.say(question)
        try:
            return self.reader.readline()
        except KeyboardInterrupt:
            self.say("\n")  # the message that follows starts on its own line, not after ^C
            raise

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def prompt_for_code(device: str, tty_path: str = TTY_PATH, why: str | None = None) -> str:
    """A code typed on the terminal; ``why``: a reason said first (and in the no-terminal error)."""
    try:
        terminal = _Terminal(tty_path, "no MFA code given and no terminal to ask for one")
    except NoTerminal as exc:
        if why:
            raise UsageError(
                f"{why}; no code was given and there is no terminal to ask for one",
                "pass a code (mfa-export 123456), or ask for -d 1h, which the MFA session serves without one",
            ) from None
        raise UsageError(
            exc.message, "pass it as an argument (mfa-export 123456) or on stdin (... | mfa-export -)"
        ) from None
    try:
        if why:
            terminal.say(f"{why}.\n")
        for _ in range(PROMPT_ATTEMPTS):
            line = terminal.ask(f"MFA code for {device}: ")
            if not line:
                raise UsageError("no MFA code entered (end of input at the prompt)")
            try:
                return parse_code(line)
            except UsageError as exc:
                terminal.say(f"{exc.message}\n")
        raise UsageError(f"no valid MFA code after {PROMPT_ATTEMPTS} attempts")
    finally:
        terminal.close()


def choose_device(devices: list[str], tty_path: str = TTY_PATH) -> str:
    """The device the person picks from a numbered list on the terminal."""
    terminal = _Terminal(tty_path, "several MFA devices and no terminal to ask which")
    try:
        terminal.say("This IAM user has several MFA devices:\n")
        for number, device in enumerate(devices, start=1):
            terminal.say(f"  {number}) {device.rsplit('/', 1)[-1]}  ({device})\n")
        for _ in range(PROMPT_ATTEMPTS):
            line = terminal.ask(f"Which one? [1-{len(devices)}]: ")
            if not line:
                break  # end of input
            answer = line.strip()
            if answer.isdigit() and 1 <= int(answer) <= len(devices):
                return devices[int(answer) - 1]
            terminal.say(f"answer a number from 1 to {len(devices)}\n")
        raise UsageError("no MFA device chosen")
    finally:
        terminal.close()


def ask_keys(profile: str, tty_path: str = TTY_PATH) -> tuple[str, str]:
    """An access key pair typed on the terminal; the secret is not echoed."""
    terminal = _Terminal(
        tty_path, f"profile {profile} has no keys in the credentials file and no terminal to ask for them"
    )
    try:
        key_id = terminal.ask(f"Access key ID for {profile}: ").strip()
        if not key_id:
            raise UsageError("no access key ID entered")
        import getpass

        try:
            # getpass reads the terminal itself, with echo off.
            secret = getpass.getpass(f"Secret access key for {profile} (not shown): ", stream=terminal.writer).strip()
        except KeyboardInterrupt:
            terminal.say("\n")
            raise
        if not secret:
            raise UsageError("no secret access key entered")
        return key_id, secret
    finally:
        terminal.close()


def confirm(question: str, why_needed: str, tty_path: str = TTY_PATH) -> bool:
    """A yes from the person at the terminal (anything else is no)."""
    terminal = _Terminal(tty_path, why_needed)
    try:
        return terminal.ask(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    finally:
        terminal.close()


DEFAULT_COMMAND_TIMEOUT = 60.0


def command_timeout(environ: Mapping[str, str]) -> float:
    from mfa_export.inputs import seconds_from_env

    return seconds_from_env(environ, "MFA_EXPORT_CODE_TIMEOUT", DEFAULT_COMMAND_TIMEOUT)


def code_from_command(command: str, origin: str, environ: Mapping[str, str], timeout: float) -> str:
    """Run the user's code command (ykman, oathtool, op ...) and take the code from its stdout.

    It runs through /bin/sh, as aws-vault's mfa_process does, so pipelines work. Nothing of ours is
    added to its command line. Its stdin is the terminal and its stderr ours, so it can prompt (touch
    the key, unlock the vault); stdout is ours to read.
    """
    from mfa_export.errors import ConfigError
    from mfa_export.subprocess_group import ForegroundGroup, GroupTimeout, TooMuchOutput

    environ = {k: v for k, v in environ.items() if k not in CREDENTIAL_VARIABLES}
    try:
        with ForegroundGroup(command, environ, TTY_PATH) as group:
            out, status = group.run(timeout, MAX_INPUT)
    except GroupTimeout:
        raise ConfigError(
            f"the code command ({origin}) did not finish within {timeout:.0f}s", "run it by hand to see where it hangs"
        ) from None
    except TooMuchOutput:
        raise ConfigError(
            f"the code command ({origin}) printed more than {MAX_INPUT} bytes",
            "make it print only the code, e.g. ykman oath accounts code -s NAME",
        ) from None
    if status != 0:
        raise ConfigError(f"the code command ({origin}) failed with exit status {status}", "run it by hand to see why")
    try:
        return parse_code(out.decode("utf-8", "replace").strip())
    except UsageError:
        # Its output is not echoed: a misconfigured password-manager command may print secrets.
        raise ConfigError(
            f"the code command ({origin}) printed no 6-digit code",
            "make it print only the code, e.g. ykman oath accounts code -s NAME",
        ) from None
