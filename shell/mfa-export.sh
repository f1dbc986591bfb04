# mfa-export for POSIX shells: sh, dash, ksh, mksh, busybox ash, yash.
# Set-up, one line in your rc file:   eval "$(mfa-export --init sh)"   (or --init ksh, ...)
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds, and fails with its exit status.
mfa() {
    _mfa_export_out=$(command mfa-export --wrapped sh:mfa "$@") || {
        set -- "$?"
        unset _mfa_export_out
        return "$1"
    }
    eval "$_mfa_export_out"
    set -- "$?"
    unset _mfa_export_out
    return "$1"
}
