# bash completion for mfa-export and its mfa wrapper (printed by `mfa-export --init bash`).
# Or install by hand: cp mfa-export.bash /usr/share/bash-completion/completions/mfa-export
_mfa_export_complete() {
    local cur prev words
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $prev in
        -p | --profile | --add | --remove | --rotate)
            words=$(command mfa-export --complete profiles 2>/dev/null) ;;
        --shell)
            words=$(command mfa-export --complete shells 2>/dev/null) ;;
        --init)
            words=$(command mfa-export --complete init-shells 2>/dev/null) ;;
        -f | --format)
            words="shell json dotenv github" ;;
        -s | --serial-number | -d | --duration | --region | --role-arn | --min-ttl | --code-command | \
            --write-profile | --cmd)
            return 0 ;;
        *)
            if [[ $cur == -* ]]; then
                words="-p --profile -s --serial-number -d --duration --role-arn --region --shell -f --format
                       --write-profile --list-profiles --unset --force --force-mfa --no-cache --clear-cache --min-ttl
                       --code-command --init --cmd --status --add --remove --rotate --yes -q --quiet --debug
                       --version -h --help"
            else
                return 0
            fi ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}
complete -F _mfa_export_complete mfa-export mfa
