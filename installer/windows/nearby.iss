; Inno Setup script for Nearby on Windows: installs the PyInstaller folder made by
; `python installer\build.py` for the current user (no administrator rights), with a Start menu
; entry, an optional desktop icon and an uninstaller. installer/build.py runs it with
;   iscc /DSourceDir=dist\Nearby /DOutputDir=dist installer\windows\nearby.iss
; when Inno Setup's `iscc` is on PATH (https://jrsoftware.org/isinfo.php, free).

#ifndef SourceDir
  #define SourceDir "..\..\dist\Nearby"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
AppId={{6C0F4F4E-7B3A-4C7E-9C1D-2E6A1B5D9F20}
AppName=Nearby
AppVersion=0.1.0
AppPublisher=Nearby
DefaultDirName={localappdata}\Programs\Nearby
DefaultGroupName=Nearby
PrivilegesRequired=lowest
OutputDir={#OutputDir}
OutputBaseFilename=Nearby-setup
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\Nearby.exe
LicenseFile={#SourceDir}\THIRD-PARTY-NOTICES.txt

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Nearby"; Filename: "{app}\Nearby.exe"
Name: "{group}\Uninstall Nearby"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Nearby"; Filename: "{app}\Nearby.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Nearby.exe"; Description: "{cm:LaunchProgram,Nearby}"; Flags: nowait postinstall skipifsilent
