"""mfa-export: MFA-authenticated AWS session credentials, exported into the calling shell."""

__version__ = "0.1.0"
