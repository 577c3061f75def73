#!/bin/sh
# Remove Nearby's app folder, menu entry, icon and command. Your library (indexed files, settings)
# stays in ~/.local/share/Nearby and ~/.config/Nearby; delete those too to forget everything.
set -eu
data=${XDG_DATA_HOME:-$HOME/.local/share}
rm -f "$data/applications/nearby.desktop" "$data/icons/hicolor/256x256/apps/nearby.png" "$HOME/.local/bin/nearby"
rm -rf "$data/Nearby-app"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
echo "Nearby is removed. Your library is still in $data/Nearby (delete it to forget everything)."
