# mfa-export for fish.
# Set-up, one line in ~/.config/fish/config.fish:   mfa-export --init fish | source
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds, and fails with its exit status.
function mfa --description 'Apply MFA-authenticated AWS credentials in this shell (mfa-export)'
    set -l out (command mfa-export --wrapped fish:mfa $argv | string collect --allow-empty)
    set -l code $pipestatus[1]
    if test $code -ne 0
        return $code
    end
    # eval, not source: a command run from here (mfa -- cmd) keeps the terminal as its stdin
    eval $out
end
