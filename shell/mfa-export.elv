# mfa-export for elvish.
# Set-up, one line in ~/.config/elvish/rc.elv:   eval (mfa-export --init elvish | slurp)
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# A failing mfa-export raises its exit status as an exception, and nothing is applied.
fn mfa {|@args|
  eval (e:mfa-export --wrapped elvish:mfa $@args | slurp)
}
# eval'd code cannot define a command in its caller: hand mfa to the interactive shell. Scripts
# have no edit: module (this then fails and is skipped); they take mfa~ from eval's &on-end.
try {
  eval 'edit:add-var mfa~ $mfa~' &ns=(ns [&mfa~=$mfa~])
} catch {
}
