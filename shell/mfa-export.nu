# mfa-export for nushell (nu cannot eval a string, so the wrapper is saved and sourced).
# Set-up: mfa-export --init nu | save -f ($nu.default-config-dir | path join mfa-export.nu)
#         and in config.nu:   source mfa-export.nu
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# A failing mfa-export fails the command with its exit status, and nothing is loaded.
def --env --wrapped mfa [...args] {
    let answer = (^mfa-export --wrapped nu:mfa ...$args | from json)
    if "run" in $answer {
        ^mfa-export ...($answer.run | skip 1)
    } else {
        # null means "unset": hide those variables instead of loading them as null
        let pairs = ($answer.env | transpose name value)
        load-env ($pairs | where value != null | reduce -f {} {|it, acc| $acc | insert $it.name $it.value })
        hide-env --ignore-errors ...($pairs | where value == null | get name)
    }
}
