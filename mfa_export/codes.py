"""Where the MFA code comes from: the CODE argument, stdin ("-"), or a prompt on the terminal device.

The prompt uses /dev/tty, not stdin/stdout: stdout is captured by the caller's eval and stdin may be
a pipe, but the terminal is still the person's.
"""

from mfa_export.errors import UsageError
from mfa_export.inputs import parse_code

TTY_PATH = "/dev/tty"
PROMPT_ATTEMPTS = 3


def code_from_argument(code_arg, stdin):
    """The code given on the command line (or on stdin for "-"); None when none was given."""
    if code_arg is None:
        return None
    if code_arg == "-":
        line = stdin.readline() if stdin is not None else ""
        if not line.strip():
            raise UsageError("CODE is '-' but stdin gave no code", "pipe the 6-digit code in, e.g. echo 123456 | mfa-export -")
        return parse_code(line)
    return parse_code(code_arg)


def prompt_for_code(device, tty_path=TTY_PATH):
    try:
        tty = open(tty_path, "r+", encoding="utf-8", errors="replace")
    except OSError:
        raise UsageError(
            "no MFA code given and no terminal to ask for one",
            "pass it as an argument (mfa-export 123456) or on stdin (... | mfa-export -)",
        ) from None
    with tty:
        for _ in range(PROMPT_ATTEMPTS):
            tty.write(f"MFA code for {device}: ")
            tty.flush()
            line = tty.readline()
            if not line:
                raise UsageError("no MFA code entered (end of input at the prompt)")
            try:
                return parse_code(line)
            except UsageError as exc:
                tty.write(f"{exc.message}\n")
        raise UsageError(f"no valid MFA code after {PROMPT_ATTEMPTS} attempts")
