; POS Companion's additions to the NSIS installer (electron-builder.yml `nsis.include`).
;
; An install "for anyone who uses this computer" (per-machine, or `Setup.exe /S /allusers`) makes
; the till keep one queue for every account: the shared data folder %ProgramData%\POS Companion,
; writable by the computer's users, with the `per-machine` marker the app looks for
; (main/machine-folder.ts). A per-user install changes nothing. Uninstalling leaves the folder:
; it holds orders that may not have reached Gameball yet.

!macro customInstall
  ${if} $installMode == "all"
    SetShellVarContext all
    CreateDirectory "$APPDATA\POS Companion"
    ; Users (S-1-5-32-545): modify, inherited by every file the app creates in the folder.
    nsExec::Exec 'icacls "$APPDATA\POS Companion" /grant *S-1-5-32-545:(OI)(CI)M'
    Pop $0
    FileOpen $1 "$APPDATA\POS Companion\per-machine" w
    FileWrite $1 "POS Companion was installed for all users of this computer: one queue for every account.$\r$\n"
    FileClose $1
  ${endif}
!macroend
