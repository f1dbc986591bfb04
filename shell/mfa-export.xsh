# mfa-export for xonsh.
# Set-up, one line in ~/.xonshrc:   execx($(mfa-export --init xonsh))
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds, and returns its exit status.
from xonsh.tools import unthreadable as _mfa_export_unthreadable


@_mfa_export_unthreadable
def _mfa_export_wrapper(args):
    import subprocess

    result = subprocess.run(["mfa-export", "--wrapped", "xonsh:mfa", *args], stdout=subprocess.PIPE,
                            text=True, env=__xonsh__.env.detype())
    if result.returncode != 0:
        return result.returncode
    execx(result.stdout)
    return 0


aliases["mfa"] = _mfa_export_wrapper
