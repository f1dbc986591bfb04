# mfa-export for PowerShell (pwsh 7, Windows PowerShell 5.1).
# Set-up, one line in $PROFILE:   mfa-export --init pwsh | Out-String | Invoke-Expression
# Then:   mfa 123456    mfa    mfa -p prod    mfa --unset    mfa -- terraform apply
# mfa applies what mfa-export prints only when it succeeds; on failure $LASTEXITCODE is its exit status.
function mfa {
    $out = & mfa-export --wrapped pwsh:mfa @args | Out-String
    if ($LASTEXITCODE -ne 0) {
        Write-Error "mfa-export failed (exit $LASTEXITCODE); environment unchanged"
        return
    }
    Invoke-Expression $out
}
