# fish completion for mfa-export and its mfa wrapper (printed by `mfa-export --init fish`).
# Or install by hand: cp mfa-export.fish ~/.config/fish/completions/
complete -c mfa-export -f
complete -c mfa-export -s p -l profile -x -a '(command mfa-export --complete profiles 2>/dev/null)' -d 'AWS profile'
complete -c mfa-export -s s -l serial-number -x -d 'MFA device serial or ARN'
complete -c mfa-export -s d -l duration -x -a '15m 1h 4h 12h 36h' -d 'Session lifetime'
complete -c mfa-export -l role-arn -x -d 'Assume this role'
complete -c mfa-export -l region -x -d 'Region to export'
complete -c mfa-export -l shell -x -a '(command mfa-export --complete shells 2>/dev/null)' -d 'Shell to write for'
complete -c mfa-export -s f -l format -x -a 'shell json dotenv github' -d 'Output format'
complete -c mfa-export -l write-profile -x -d 'Store the session as a profile'
complete -c mfa-export -l list-profiles -d 'List profiles, devices, roles, cached sessions'
complete -c mfa-export -l unset -d 'Print code that removes the credentials'
complete -c mfa-export -l force -d 'Renew what is exported (a role: no code)'
complete -c mfa-export -l force-mfa -d 'Renew the MFA session too (needs a code)'
complete -c mfa-export -l no-cache -d 'Neither read nor write the cache'
complete -c mfa-export -l clear-cache -d 'Remove cached sessions'
complete -c mfa-export -l min-ttl -x -d 'Least lifetime a cached session must have'
complete -c mfa-export -l code-command -x -d 'Command that prints the MFA code'
complete -c mfa-export -l init -x -a '(command mfa-export --complete init-shells 2>/dev/null)' -d 'Print the wrapper for a shell'
complete -c mfa-export -l cmd -x -d 'Name of the wrapper'
complete -c mfa-export -l status -d 'Is a session active, and for how long'
complete -c mfa-export -l add -x -a '(command mfa-export --complete profiles 2>/dev/null)' -d "Store a profile's keys in the OS keyring"
complete -c mfa-export -l remove -x -a '(command mfa-export --complete profiles 2>/dev/null)' -d "Delete a profile's keys from the OS keyring"
complete -c mfa-export -l rotate -x -a '(command mfa-export --complete profiles 2>/dev/null)' -d 'New access key for a profile, old one deleted'
complete -c mfa-export -l yes -d 'With --remove: no question'
complete -c mfa-export -s q -l quiet -d 'No summary on stderr'
complete -c mfa-export -l debug -d 'Tracebacks and HTTP debug, secrets masked'
complete -c mfa-export -l version -d 'Print the version'
complete -c mfa-export -s h -l help -d 'Show help'
complete -c mfa -w mfa-export
