#!/bin/sh
# Install Nearby for this user: the app folder, a menu entry, icons, and the `nearby` command.
# Nothing needs root; nothing is downloaded. The unpacked folder is moved into place (not copied:
# 400 MB twice is a waste); where it cannot be moved (a read-only medium) it is copied, and left as
# it was. Run uninstall.sh (in the app folder) to undo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
app="$data/Nearby-app"
bin="$HOME/.local/bin"

if [ "$here" != "$app" ]; then
    rm -rf "$app"
    mkdir -p "$data"
    if mv "$here" "$app" 2>/dev/null; then
        echo "Moved $here to $app (the unpacked folder is now the installed app)."
    else
        mkdir -p "$app"
        cp -R "$here/." "$app/"
        echo "Copied $here to $app; the unpacked folder is not needed any more (delete it if you like)."
    fi
fi
for icon in "$app"/icons/hicolor/*/apps/nearby.*; do
    size=$(basename "$(dirname "$(dirname "$icon")")")
    mkdir -p "$data/icons/hicolor/$size/apps"
    cp "$icon" "$data/icons/hicolor/$size/apps/"
done
mkdir -p "$data/applications" "$bin"
sed "s|@EXEC@|\"$app/Nearby\"|" "$app/nearby.desktop" > "$data/applications/nearby.desktop"
chmod 644 "$data/applications/nearby.desktop"
cat > "$bin/nearby" <<SCRIPT
#!/bin/sh
exec "$app/Nearby" --cli "\$@"
SCRIPT
chmod 755 "$bin/nearby"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$data/icons/hicolor" 2>/dev/null || true
echo "Nearby is installed: find it in your applications menu, or run $app/Nearby"
echo "The command line: $bin/nearby (e.g. nearby search \"tax deadline\")"
