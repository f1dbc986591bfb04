"""Guard against a profile whose credential_process runs mfa-export on that same profile.

While botocore loads the long-term keys (and so may run a credential_process), this process marks
its environment; an mfa-export started under that mark that cannot serve from the cache would only
recurse, or wait forever for the lock its parent holds, so it stops at once instead.
"""

from __future__ import annotations

import os

from mfa_export.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

MARK = "MFA_EXPORT_LOADING_KEYS"


def refuse_if_nested(label: str) -> None:
    if os.environ.get(MARK):
        raise ConfigError(
            f"{label}'s credentials come from mfa-export itself (credential_process)",
            "point credential_process at a profile with an IAM user's access keys",
        )


class LoadingKeys:
    def __enter__(self) -> LoadingKeys:
        os.environ[MARK] = "1"
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        os.environ.pop(MARK, None)
        return False
