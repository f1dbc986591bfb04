# Installed as the package data mfa_export.shell, which `mfa-export --init SHELL` reads.
