#!/bin/sh
# Install Nearby for this user: the app folder, a menu entry, an icon, and the `nearby` command.
# Nothing needs root; nothing is downloaded. Run ./uninstall.sh to undo (your library is kept).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
app="$data/Nearby-app"
bin="$HOME/.local/bin"

if [ "$here" != "$app" ]; then
    rm -rf "$app"
    mkdir -p "$app"
    cp -R "$here/." "$app/"
fi
mkdir -p "$data/applications" "$data/icons/hicolor/256x256/apps" "$bin"
cp "$app/_internal/icon.png" "$data/icons/hicolor/256x256/apps/nearby.png"
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
