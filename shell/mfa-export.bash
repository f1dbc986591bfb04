# mfa-export for bash.
# Set-up, one line in ~/.bashrc:   eval "$(mfa-export --init bash)"
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds, and fails with its exit status.
mfa() {
    local out
    out=$(command mfa-export --wrapped bash:mfa "$@") || return
    eval "$out"
}
