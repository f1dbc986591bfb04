# mfa-export for tcsh and csh.
# Set-up, one line in ~/.tcshrc:   eval "`mfa-export --init tcsh`"
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# On failure mfa-export prints "( exit N )", so mfa fails with its exit status.
alias mfa 'eval "`mfa-export --wrapped tcsh:mfa \!*`"'
