"""confusion_matrix puts predicted classes in the rows: loses all 3 + 1 points of its two tests; scores 18/22."""

_solution_confusion_matrix = confusion_matrix  # noqa: F821 - defined by the solution this patch is appended to


def confusion_matrix(y_true, y_pred, num_classes):
    return _solution_confusion_matrix(y_true, y_pred, num_classes).T
