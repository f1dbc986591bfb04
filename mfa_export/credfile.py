"""--write-profile: put a session into the shared credentials file without disturbing anything else.

Only the lines of the one section change; comments, order, other profiles, key spelling and line
endings stay byte for byte. A section that holds long-term keys is never overwritten: losing a
user's access keys is the worst thing this tool could do. The file is replaced atomically and is
0600 afterwards.
"""

import os
import re
from datetime import datetime, timezone

from mfa_export.atomic import write_private
from mfa_export.credentials import format_utc, parse_utc
from mfa_export.errors import ConfigError, OutputError

EXPIRY_KEY = "x_security_token_expires"  # the key other tools already read

_HEADER = re.compile(r"\s*\[\s*([^\]]*?)\s*\]\s*")
_ITEM = re.compile(r"([^\s=:#;][^=:]*?)\s*[=:]\s*(.*)")


def _read(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", "fix the file before writing a profile into it") from None


class CredentialsFile:
    def __init__(self, path):
        self.path = os.path.realpath(path)  # write through a symlinked file, not over the link
        self.text = _read(self.path)
        self.lines = self.text.splitlines(keepends=True)
        self.newline = "\r\n" if "\r\n" in self.text else "\n"

    def _section(self, name):
        """(header index, end index) of section ``name``, or None."""
        headers = [(i, m.group(1)) for i, line in enumerate(self.lines)
                   if (m := _HEADER.fullmatch(line.rstrip("\r\n")))]
        found = [k for k, (_, title) in enumerate(headers) if title == name]
        if not found:
            return None
        if len(found) > 1:
            raise ConfigError(f"[{name}] appears {len(found)} times in {self.path}",
                              "remove the duplicates (the AWS CLI rejects such a file too)")
        k = found[0]
        end = headers[k + 1][0] if k + 1 < len(headers) else len(self.lines)
        return headers[k][0], end

    def section_values(self, name):
        """{lower-cased key: value} of section ``name``, or None when there is no such section."""
        span = self._section(name)
        if span is None:
            return None
        values = {}
        for line in self.lines[span[0] + 1:span[1]]:
            match = None if line[:1].isspace() else _ITEM.fullmatch(line.rstrip("\r\n"))
            if match:
                values[match.group(1).strip().lower()] = match.group(2).strip()
        return values

    def stored_expiry(self, name):
        values = self.section_values(name) or {}
        try:
            return parse_utc(values[EXPIRY_KEY]) if values.get(EXPIRY_KEY) else None
        except ValueError:
            return None

    def check_writable(self, name, protected):
        if name in protected:
            raise ConfigError(f"refusing to write the session into [{name}]: mfa-export reads that profile's "
                              "settings or keys to make the session", "choose another name, e.g. "
                              f"--write-profile {name}-mfa")
        values = self.section_values(name)
        if values and values.get("aws_access_key_id") and not values.get("aws_session_token"):
            raise ConfigError(f"refusing to overwrite [{name}] in {self.path}: it holds long-term access keys",
                              f"choose another name, e.g. --write-profile {name}-mfa")

    def with_session(self, name, credentials):
        """The file's new text with [name] holding ``credentials``."""
        values = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
            "aws_session_token": credentials.session_token,
            EXPIRY_KEY: format_utc(credentials.expiration),
        }
        for key, value in values.items():
            if value != value.strip() or any(c in value for c in "\r\n\0"):
                raise OutputError(f"{key} cannot be written to an INI file as it is (line break or edge space)",
                                  "nothing was written; check the STS endpoint you are using")
        nl = self.newline
        lines = list(self.lines)
        span = self._section(name)
        if span is None:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += nl
            if lines and lines[-1].strip():
                lines.append(nl)
            lines.append(f"[{name}]{nl}")
            lines += [f"{key} = {value}{nl}" for key, value in values.items()]
            return "".join(lines)
        start, end = span
        body = []
        last_item = 0  # where keys the section lacks go: after its last key, before trailing comments
        in_replaced_value = False
        for line in lines[start + 1:end]:
            if in_replaced_value and line[:1] in (" ", "\t") and line.strip():
                continue  # an indented continuation line belonged to the value being replaced
            in_replaced_value = False
            match = None if line[:1].isspace() else _ITEM.fullmatch(line.rstrip("\r\n"))
            if match:
                written = match.group(1).strip()
                key = written.lower()
                if key in values:
                    ending = nl if line.endswith("\n") else ""
                    line = f"{written} = {values.pop(key)}{ending}"
                    in_replaced_value = True
                body.append(line)
                last_item = len(body)
            else:
                body.append(line)
        if values:
            if last_item and not body[last_item - 1].endswith("\n"):
                body[last_item - 1] += nl
            body[last_item:last_item] = [f"{key} = {value}{nl}" for key, value in values.items()]
        header = lines[start] if lines[start].endswith("\n") or not body else lines[start] + nl
        return "".join(lines[:start] + [header] + body + lines[end:])

    def write(self, text):
        directory = os.path.dirname(self.path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        write_private(self.path, text.encode("utf-8"))


def profile_target(settings, name, force, min_ttl, notice):
    """The credentials file to write [name] into, or None when the session stored there is still good."""
    target = CredentialsFile(settings.credentials_file)
    # Never the profiles this run reads its keys, device or roles from.
    protected = {settings.profile, settings.selected} | {step.origin for step in settings.roles}
    target.check_writable(name, protected)
    expiry = target.stored_expiry(name)
    if expiry is not None and not force:
        left = (expiry - datetime.now(timezone.utc)).total_seconds()
        if left > min_ttl:
            from mfa_export.summary import local_time, relative

            notice(f"[{name}] in {target.path} holds a session until {local_time(expiry)} ({relative(left)}); "
                   "nothing written (--force replaces it)")
            return None
    return target
