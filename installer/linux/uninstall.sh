#!/bin/sh
# Remove Nearby: the app folder, the menu entry, the icons, the `nearby` command, the cache
# (thumbnails, the search index's copy of the vectors) and the log. Your library — what was indexed,
# your settings, models you added — is kept unless you say otherwise:
#   uninstall.sh                   asks (and keeps it when there is nobody to ask)
#   uninstall.sh --keep-library    keeps it
#   uninstall.sh --remove-library  deletes it too
set -eu
data=${XDG_DATA_HOME:-$HOME/.local/share}
cache=${XDG_CACHE_HOME:-$HOME/.cache}
state=${XDG_STATE_HOME:-$HOME/.local/state}
config=${XDG_CONFIG_HOME:-$HOME/.config}
case "${1:-}" in
    "") choice=ask ;;
    --keep-library) choice=keep ;;
    --remove-library) choice=remove ;;
    *) echo "usage: uninstall.sh [--keep-library | --remove-library]" >&2; exit 2 ;;
esac
rm -f "$data/applications/nearby.desktop" "$HOME/.local/bin/nearby"
for folder in "$data"/icons/hicolor/*/apps; do
    rm -f "$folder/nearby.png" "$folder/nearby.svg"
done
rm -rf "$data/Nearby-app" "$cache/Nearby" "$state/Nearby"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$data/icons/hicolor" 2>/dev/null || true
if [ "$choice" = ask ]; then
    choice=keep
    if [ -t 0 ]; then
        printf "Also delete your library (what Nearby indexed, its settings; your own files are never touched)? [y/N] "
        read -r answer || answer=
        case "$answer" in [yY]*) choice=remove ;; esac
    fi
fi
if [ "$choice" = remove ]; then
    rm -rf "$data/Nearby" "$config/Nearby"
    echo "Nearby and its library are removed (your own files are untouched)."
else
    echo "Nearby is removed. Your library is kept in $data/Nearby and $config/Nearby (delete them to forget everything)."
fi
