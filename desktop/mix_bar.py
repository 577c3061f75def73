"""The mix builder: the terms of an arithmetic expression as chips, each with a +/− toggle and a
weight slider; "Add to mix" on a result adds that file. Every change rewrites the expression in
the search field, which searches again (off the GUI thread, as any search).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from nearby.core.search.expression import ExpressionError, Term, is_expression, parse_expression

# Slider steps are tenths: weights from 0.1 to 3.0, 1.0 in the middle of what people use.
WEIGHT_STEPS = (1, 30)
CHIP_TEXT_CHARS = 24


def expression_of(terms: list[Term]) -> str:
    """Terms written back as an expression the grammar reads (a single term gets a leading +)."""
    parts = []
    for i, term in enumerate(terms):
        body = f'"{term.text}"' if term.quoted or term.looks_like_path and " " in term.text else term.text
        weight = "" if abs(term.weight - 1.0) < 1e-9 else f"{term.weight:g}:"
        operator = ("- " if term.sign < 0 else ("+ " if len(terms) == 1 else "")) if i == 0 else \
            (" - " if term.sign < 0 else " + ")
        parts.append(f"{operator}{weight}{body}")
    return "".join(parts)


def terms_of(text: str) -> list[Term]:
    """The terms of the field's text: an expression's, or the whole text as one term."""
    text = text.strip()
    if not text:
        return []
    if is_expression(text):
        try:
            return parse_expression(text)
        except ExpressionError:
            return []
    return [Term(text)]


class MixBar(QFrame):
    """Chips for the terms of the expression in the search field; hidden when there is none."""

    changed = Signal(str)  # the rewritten expression

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mixBar")
        self.terms: list[Term] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 4, 0, 4)
        self._layout.setSpacing(8)
        self.hide()

    def show_expression(self, text: str) -> None:
        """Show the chips of an expression (hide the bar for plain searches)."""
        self.terms = terms_of(text) if is_expression(text) else []
        self._rebuild()

    def add_file(self, path: str, current: str) -> None:
        """Add a file to the mix started by the current search text ("Add to mix")."""
        self.terms = [*terms_of(current), Term(path, quoted=True)]
        self._rebuild()
        self.changed.emit(expression_of(self.terms))

    def _rebuild(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for index, term in enumerate(self.terms):
            self._layout.addWidget(self._chip(index, term))
        self._layout.addStretch(1)
        self.setVisible(bool(self.terms))

    def _chip(self, index: int, term: Term) -> QWidget:
        chip = QFrame()
        chip.setObjectName("mixChip")
        row = QHBoxLayout(chip)
        row.setContentsMargins(6, 2, 6, 2)
        sign = QToolButton()
        sign.setText("−" if term.sign < 0 else "+")
        sign.setAccessibleName(f"Add or subtract {term.text}")
        sign.setToolTip("Add or subtract this term")
        sign.clicked.connect(lambda: self._update(index, sign=-term.sign))
        name = term.text.rsplit("/", 1)[-1]
        label = QLabel(name if len(name) <= CHIP_TEXT_CHARS else name[: CHIP_TEXT_CHARS - 1] + "…")
        label.setToolTip(term.text)
        weight = QSlider(Qt.Orientation.Horizontal)
        weight.setRange(*WEIGHT_STEPS)
        weight.setValue(round(term.weight * 10))
        weight.setFixedWidth(70)
        weight.setAccessibleName(f"Weight of {term.text}")
        weight.setToolTip(f"Weight {term.weight:g}")
        weight.sliderReleased.connect(lambda: self._update(index, weight=weight.value() / 10))
        remove = QToolButton()
        remove.setText("✕")
        remove.setAutoRaise(True)
        remove.setAccessibleName(f"Remove {term.text} from the mix")
        remove.clicked.connect(lambda: self._remove(index))
        for widget in (sign, label, weight, remove):
            row.addWidget(widget)
        return chip

    def _update(self, index: int, sign: int | None = None, weight: float | None = None) -> None:
        old = self.terms[index]
        self.terms[index] = Term(old.text, old.weight if weight is None else weight,
                                 old.sign if sign is None else sign, old.quoted)
        self._rebuild()
        self.changed.emit(expression_of(self.terms))

    def _remove(self, index: int) -> None:
        del self.terms[index]
        self._rebuild()
        self.changed.emit(expression_of(self.terms))
