"""What the decision log tells the parts of the product built on it, without knowing them."""

from django.dispatch import Signal

# Sent by ``decision_submit`` with ``decision``, inside its transaction: what a receiver writes
# commits with the submission or not at all, and a receiver that raises stops the submission.
# ``reports`` counts the decision for its figures (reports/apps.py).
decision_submitted = Signal()
