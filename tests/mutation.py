"""A scripted mutation run: put one deliberate fault into the package at a time, run the tests that
should notice it, and report which faults went through.

    .venv/bin/python tests/mutation.py            # all, a Markdown table on stdout
    .venv/bin/python tests/mutation.py 3 7        # only these numbers

Each fault is an exact text replacement in one file, undone before the next (and on ^C). The
faults are the ones a review or an earlier run found the suite blind to, and the fragile points of
each module. The last run's table is kept in tests/mutation-results.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "mfa_export"

# (what the fault does, file, text, replacement, tests that should fail)
MUTANTS = [
    (
        "role -d 12h not sent as DurationSeconds",
        "sts.py",
        '"RoleSessionName": session_name, "DurationSeconds": duration}',
        '"RoleSessionName": session_name, "DurationSeconds": 3600}',
        ["tests/test_roles.py"],
    ),
    (
        "a 0602 cache entry trusted",
        "cache.py",
        "elif stat.S_IMODE(info.st_mode) & 0o077:",
        "elif stat.S_IMODE(info.st_mode) & 0o070:",
        ["tests/test_sessions.py"],
    ),
    (
        "credentials file written in place, not atomically",
        "writeprofile.py",
        '            replace_file(path, text.encode("utf-8"), mode, owner)',
        '            open(path, "wb").write(text.encode("utf-8"))',
        ["tests/test_write_profile.py"],
    ),
    (
        "--write-profile refresh ignores --min-ttl",
        "writeprofile.py",
        "return (self.stored_expiry, left) if left > min_ttl else None",
        "return (self.stored_expiry, left) if left > 0 else None",
        ["tests/test_write_profile.py"],
    ),
    (
        "terminal not handed back after a code command",
        "subprocess_group.py",
        "                _set_foreground(self.tty.fileno(), self.foreground)",
        "                pass",
        ["tests/test_sessions.py"],
    ),
    (
        "--unset -- COMMAND accepted",
        "modes.py",
        """        ignored.append("command")""",
        "        pass",
        ["tests/test_core.py"],
    ),
    (
        "a multi-line secret masked with one ::add-mask::",
        "formats.py",
        'parts = [value] + (value.split("\\n") if "\\n" in value else [])',
        "parts = [value]",
        ["tests/test_formats.py"],
    ),
    (
        "another user's cache entry trusted",
        "cache.py",
        "        elif info.st_uid != os.getuid():",
        "        elif False:",
        ["tests/test_sessions.py"],
    ),
    (
        "role_session_name not sent",
        "session.py",
        "name = step.session_name or default_session_name(mfa.serial)",
        "name = default_session_name(mfa.serial)",
        ["tests/test_roles.py"],
    ),
    (
        "$MFA_EXPORT_SHELL ignored for the fail statement",
        "cli.py",
        'return get_shell(canonical_name(environ.get("MFA_EXPORT_SHELL", "")) or "sh")',
        'return get_shell("sh")',
        ["tests/test_cli_fake_sts.py"],
    ),
    (
        "--init pwsh prints the sh wrapper",
        "init.py",
        "    key = _SAME_AS.get(canonical, canonical)\n",
        "    key = _SAME_AS.get(canonical, canonical)\n    key = 'sh' if key == 'pwsh' else key\n",
        ["tests/test_integration_extras.py", "tests/test_powershell_parse.py"],
    ),
    (
        "cache directory made 0755, then chmod-ed",
        "cache.py",
        "os.mkdir(self.directory, 0o700)",
        "os.mkdir(self.directory, 0o755)\n            os.chmod(self.directory, 0o700)",
        ["tests/test_sessions.py"],
    ),
    (
        "section header trimmed inside the brackets (botocore does not)",
        "inifile.py",
        """    return found.group("header") if found else None""",
        """    return found.group("header").strip() if found else None""",
        ["tests/test_inifile.py"],
    ),
    (
        "a request carrying the code is retried",
        "sts.py",
        '"total_max_attempts": 1 if carries_code else ATTEMPTS',
        '"total_max_attempts": ATTEMPTS',
        ["tests/test_cli_fake_sts.py"],
    ),
    (
        "no overall network deadline",
        "deadline.py",
        "        signal.setitimer(signal.ITIMER_REAL, self.left)\n",
        "",
        ["tests/test_fail_closed.py"],
    ),
    (
        "stdin read without a bound",
        "codes.py",
        "stdin.readline(MAX_INPUT + 1)",
        "stdin.readline()",
        ["tests/test_fail_closed.py"],
    ),
    (
        "--debug does not mask access key ids",
        "redact.py",
        '(re.compile(r"(?<![A-Za-z0-9])(AKIA|ASIA)',
        '(re.compile(r"(?<![A-Za-z0-9])(XKIA|XSIA)',
        ["tests/test_fail_closed.py"],
    ),
    (
        "PowerShell quotes not doubled",
        "shells/powershell.py",
        "value = value.replace(quote, quote + quote)",
        "pass",
        ["tests/test_powershell_parse.py"],
    ),
    (
        "output written without checking its encoding",
        "cli.py",
        'data = output.encode("utf-8")',
        'data = output.encode("utf-8", "surrogateescape")',
        ["tests/test_fail_closed.py"],
    ),
    (
        "] allowed in a --write-profile NAME",
        "writeprofile.py",
        '_NAME_FORBIDDEN = set("[];#=',
        '_NAME_FORBIDDEN = set("[;#=',
        ["tests/test_write_profile.py"],
    ),
    (
        "the code command inherits AWS credentials",
        "codes.py",
        "environ = {k: v for k, v in environ.items() if k not in CREDENTIAL_VARIABLES}",
        "environ = dict(environ)",
        ["tests/test_fail_closed.py"],
    ),
    (
        "the edited file is not re-read under the lock",
        "writeprofile.py",
        "        text = change(awsconfig.read_ini(path))\n",
        "        text = change(globals()['_FIRST_READING'].get(path) or awsconfig.read_ini(path))\n",
        ["tests/test_write_profile.py"],
    ),
    (
        "stale temp files of killed runs kept",
        "atomic.py",
        "        if target is None and _alive(parts[1]):",
        "        if target is None:",
        ["tests/test_fail_closed.py"],
    ),
    (
        "a FIFO at an entry opened blocking",
        "cache.py",
        "os.O_RDONLY | os.O_NONBLOCK |",
        "os.O_RDONLY |",
        ["tests/test_fail_closed.py"],
    ),
    (
        "an indented [ line read lazily (a header or a continuation)",
        "inifile.py",
        """                if line[:1] != "[" and line.lstrip()[:1] == "[":""",
        "                if False:",
        ["tests/test_inifile.py"],
    ),
    (
        "a [ line that is no header ends its section",
        "inifile.py",
        "            if _SECTION.match(text, at + 1, end if end >= 0 else len(text)):",
        "            if True:",
        ["tests/test_inifile.py", "tests/test_core.py"],
    ),
    (
        "a value of -- taken as given",
        "request.py",
        """        if option.takes_value and (isinstance(value, list) or value == "--"):""",
        "        if False:",
        ["tests/test_core.py"],
    ),
    (
        "an option the mode ignores is accepted",
        "modes.py",
        "    if ignored:\n        flags = [_flag(dest) for dest in ignored]",
        "    if False:\n        flags = [_flag(dest) for dest in ignored]",
        ["tests/test_cli_fake_sts.py"],
    ),
    (
        "--list-profiles passed to eval by the wrappers",
        "modes.py",
        """"mfa_export.profiles:run", evaled=False, passthrough=True),""",
        """"mfa_export.profiles:run", evaled=False, passthrough=False),""",
        ["tests/test_wrapper_protocol.py"],
    ),
    (
        "a cache entry's expiry trusted whatever it is (NaN, past the year 9999)",
        "cache.py",
        "            if not 0 < expiration < LATEST:  # also NaN",
        "            if False:",
        ["tests/test_fail_closed.py"],
    ),
    (
        "a cache entry served for another key",
        "cache.py",
        """            if fields.get("key") != key_text(key):""",
        "            if False:",
        ["tests/test_sessions.py", "tests/test_core.py"],
    ),
]

# Extra set-up a mutant needs to be a runnable fault (not a crash): keep the first reading around.
_SUPPORT = {
    "the edited file is not re-read under the lock": (
        "writeprofile.py",
        "        self.stored_expiry = self._expiry(files.credentials_ini.ini)\n",
        "        self.stored_expiry = self._expiry(files.credentials_ini.ini)\n"
        "        first = globals().setdefault('_FIRST_READING', {})\n"
        "        first[self.credentials_file] = files.credentials_ini.ini\n"
        "        first[self.config_file] = files.config_ini.ini\n",
    ),
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"{path}: the fault's text is found {text.count(old)} times, not once: {old!r}")
    path.write_text(text.replace(old, new))


def run(numbers: list[int]) -> int:
    rows = []
    caught = 0
    for number, (what, name, old, new, tests) in enumerate(MUTANTS, start=1):
        if numbers and number not in numbers:
            continue
        files = {name: (PKG / name).read_text()}
        if what in _SUPPORT:
            support_name = _SUPPORT[what][0]
            files.setdefault(support_name, (PKG / support_name).read_text())
        started = time.monotonic()
        try:
            if what in _SUPPORT:
                _replace(PKG / _SUPPORT[what][0], *_SUPPORT[what][1:])
            _replace(PKG / name, old, new)
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=1200,
            )
        finally:
            for file_name, text in files.items():
                (PKG / file_name).write_text(text)
        killed = result.returncode != 0
        caught += killed
        rows.append(
            f"| {number} | {what} | `{name}` | {'caught' if killed else '**survived**'} | "
            f"{time.monotonic() - started:.0f} s |"
        )
    print("| # | fault | file | result | time |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nScore: {caught} of {len(rows)} faults caught.")
    return 0 if caught == len(rows) else 1


if __name__ == "__main__":
    sys.exit(run([int(a) for a in sys.argv[1:]]))
