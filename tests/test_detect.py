import pytest

from mfa_export.detect import choose_shell
from mfa_export.errors import UsageError


def boom():
    raise AssertionError("detection must not run")


def test_flag_beats_environment_and_detection():
    assert choose_shell("fish", {"MFA_EXPORT_SHELL": "zsh"}, detector=boom).name == "fish"


def test_environment_beats_detection():
    assert choose_shell(None, {"MFA_EXPORT_SHELL": "/usr/bin/zsh"}, detector=boom).name == "zsh"


def test_detected_shell():
    assert choose_shell(None, {}, detector=lambda: ("xonsh", "xonsh")).name == "xonsh"


def test_undetectable_shell_names_the_flag():
    with pytest.raises(UsageError) as err:
        choose_shell(None, {}, detector=lambda: (None, None))
    assert "--shell" in str(err.value) and err.value.exit_code == 2


def test_unsupported_detected_shell_is_named():
    with pytest.raises(UsageError) as err:
        choose_shell(None, {}, detector=lambda: (None, "python3"))
    assert "python3" in str(err.value)


@pytest.mark.parametrize("exc", [RuntimeError("x"), FileNotFoundError("ps"), PermissionError("hidepid")])
def test_any_shellingham_exception_means_undetected(monkeypatch, exc):
    import shellingham

    from mfa_export import detect

    def raising():
        raise exc

    monkeypatch.setattr(shellingham, "detect_shell", raising)
    assert detect._from_process_tree() == (None, None)


def test_shellingham_answer_is_normalised(monkeypatch):
    import shellingham

    from mfa_export import detect

    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("ksh93", "/bin/ksh93"))
    assert detect._from_process_tree() == ("ksh", "ksh93")


def test_unknown_shell_flag():
    with pytest.raises(UsageError):
        choose_shell("cobol", {}, detector=boom)
