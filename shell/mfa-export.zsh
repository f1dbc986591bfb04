# mfa-export for zsh.
# Set-up, one line in ~/.zshrc (after compinit, for completion):   eval "$(mfa-export --init zsh)"
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds, and fails with its exit status.
mfa() {
    local out
    out=$(command mfa-export --wrapped zsh:mfa "$@") || return
    eval "$out"
}
