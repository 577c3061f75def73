"""Help → About (the version, and the licences of the models and libraries Nearby ships) and
Help → Search help (what can be typed in the search field)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from nearby.core.version import version
from nearby.models.catalog import MODELS

# What the app runs on, with the licence each is used under (checked against their metadata at
# the time they were added; the bundle carries their licence files).
LIBRARIES = (
    ("Qt / PySide6", "LGPL-3.0"), ("onnxruntime", "MIT"), ("onnxruntime-extensions", "MIT"),
    ("NumPy", "BSD-3-Clause"), ("tokenizers", "Apache-2.0"), ("SQLite", "public domain"),
    ("APSW", "zlib-style (any OSI licence)"), ("sqlite-vec", "MIT or Apache-2.0"), ("platformdirs", "MIT"),
    ("pypdfium2 / PDFium", "Apache-2.0 or BSD-3-Clause / BSD-3-Clause"), ("python-docx", "MIT"),
    ("markdown-it-py", "MIT"), ("soundfile / libsndfile", "BSD-3-Clause / LGPL-2.1"), ("soxr", "LGPL-2.1"),
    ("tinytag", "MIT"), ("Pillow", "MIT-CMU"), ("watchdog", "Apache-2.0"), ("openTSNE", "BSD-3-Clause"),
    ("SciPy", "BSD-3-Clause"), ("scikit-learn", "BSD-3-Clause"),
)

SEARCH_HELP = """
<h2>Searching</h2>
<p>Type what you are looking for in your own words: <i>notes about the budget</i>, <i>a cat on a sofa</i>,
<i>calm piano</i>. Nearby finds documents, photos and songs that <b>mean</b> the same, even when they share
no word with what you typed.</p>
<table cellpadding="4">
<tr><td><code>tax deadline</code></td><td>by meaning</td></tr>
<tr><td><code>INV-2024-0917</code>, <code>Okonkwo</code></td>
    <td>names, codes and file names are found as typed</td></tr>
<tr><td><code>"exact words"</code></td><td>the passage must hold these words</td></tr>
<tr><td><code>invoice -draft</code></td><td>leave out what holds <i>draft</i></td></tr>
<tr><td><code>photo of a beach</code></td>
    <td>naming a kind (photo, picture, song, music, pdf, note…) favours it</td></tr>
<tr><td><code>king - man + woman</code></td>
    <td>concept arithmetic (spaces around the operator): answer words, then files</td></tr>
<tr><td><code>"beach.jpg" + snow - 2:summer</code></td><td>files as terms; <code>2:</code> weighs a term twice</td></tr>
</table>
<h2>Browsing and filters</h2>
<p>With nothing typed, the library is shown newest first. The boxes beside the search field narrow
any search or browse to a kind, a date, a folder or a file type.</p>
<h2>Keys</h2>
<table cellpadding="4">
<tr><td>Ctrl+F</td><td>the search field</td></tr><tr><td>Down, Enter</td><td>into the results, open one
(a photo: full screen)</td></tr>
<tr><td>Space</td><td>the chosen result full screen; there: arrows next / previous, F fit or 100%, + / - zoom,
Page Up / Down a PDF's pages, S slideshow, Enter open, Esc or Space back</td></tr>
<tr><td>F9</td><td>slideshow of the photos among the results</td></tr>
<tr><td>Shift+arrows, Ctrl+click</td><td>choose several results (Ctrl+A: all of them)</td></tr>
<tr><td>Ctrl+Shift+C</td><td>copy the chosen files' paths</td></tr>
<tr><td>Ctrl+Shift+F</td><td>show the chosen file in its folder</td></tr>
<tr><td>Ctrl++ / Ctrl+- (or Ctrl+wheel)</td><td>larger / smaller thumbnails</td></tr>
<tr><td>Alt+Left / Alt+Right</td><td>Back / Forward (or the mouse's side buttons)</td></tr>
<tr><td>Ctrl+1 / Ctrl+2</td><td>list / grid</td></tr><tr><td>Ctrl+M</td><td>the similarity map</td></tr>
<tr><td>On the map: arrows, Enter</td><td>the nearest file that way, open it</td></tr>
<tr><td>On the map: + / - / 0</td><td>zoom in / out / the whole map</td></tr>
<tr><td>Ctrl+Shift+S</td><td>find similar to the chosen result (or to the chosen results together)</td></tr>
<tr><td>Ctrl+,</td><td>Settings</td></tr><tr><td>Ctrl+Q</td><td>quit</td></tr>
</table>
<h2>Privacy</h2>
<p>Everything Nearby reads, computes and stores stays on this computer. It never uses the network.</p>
"""


def about_html() -> str:
    models = "".join(f"<tr><td>{html.escape(s.name)}</td><td>{html.escape(s.kind)}</td>"
                     f"<td>{html.escape(s.licence)}</td><td>{html.escape(s.homepage)}</td></tr>"
                     for s in MODELS.values())
    libraries = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(lic)}</td></tr>" for n, lic in LIBRARIES)
    return (f"<h2>Nearby {html.escape(version())}</h2>"
            "<p>Finds your own documents, photos and songs by what they mean — entirely offline.</p>"
            f"<h3>Models</h3><table cellpadding='3'><tr><th align='left'>Model</th><th align='left'>For</th>"
            f"<th align='left'>Licence</th><th align='left'>Source</th></tr>{models}</table>"
            "<p>WordNet 3.0 © 2006 Princeton University (phrases in the word model; WordNet licence).</p>"
            f"<h3>Libraries</h3><table cellpadding='3'>{libraries}</table>")


class TextDialog(QDialog):
    """A scrollable page of rich text with a Close button."""

    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(680, 560)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)  # nothing here opens the network
        self.text.setHtml(body)
        self.text.setAccessibleName(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


def about_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog("About Nearby", about_html(), parent)


def help_dialog(parent: QWidget | None = None) -> TextDialog:
    return TextDialog("Nearby Help", SEARCH_HELP, parent)
