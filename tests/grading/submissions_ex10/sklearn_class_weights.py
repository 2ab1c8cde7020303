"""balanced_class_weights calls scikit-learn, right values but not own work: loses its 3 + 1 points; scores 18/22."""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def balanced_class_weights(y):
    y = np.asarray(y)
    y = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
    classes = np.unique(y)
    return {int(c): float(w) for c, w in zip(classes, compute_class_weight("balanced", classes=classes, y=y))}
