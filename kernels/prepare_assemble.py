"""The per-dwelling input matrices of the worksheet kernel (``dfl``, ``dil``), written row
by row (C order) straight from the per-field column vectors that input preparation
(``ara.sap.prepare``) computes: one pass over the output, no column-ordered staging
matrix and no transposing copy.

``rows_from_columns(columns, present, out)``: ``out[:, j] = columns[j]`` where
``present[j]``, 0 elsewhere; ``columns`` is a typed list of read-only 1-D vectors of the
dtype of ``out``, ``len(columns) == out.shape[1]`` (absent columns hold any placeholder).
The copy goes in blocks of rows, so each block of ``out`` is written while it is in
cache and each column is read in order.
"""

import numpy as np
from numba import njit
from numba.typed import List

BLOCK = 256


@njit(cache=True)
def rows_from_columns(columns, present, out):
    n, k = out.shape
    for i0 in range(0, n, BLOCK):
        i1 = min(i0 + BLOCK, n)
        for j in range(k):
            if present[j]:
                c = columns[j]
                for i in range(i0, i1):
                    out[i, j] = c[i]
            else:
                for i in range(i0, i1):
                    out[i, j] = 0


def assemble(columns, n, dtype):
    """A new C-ordered ``(n, len(columns))`` matrix of ``dtype`` whose column ``j`` is the
    vector ``columns[j]`` (length ``n``, already of ``dtype``), or zeros where it is None."""
    placeholder = np.zeros(0, dtype=dtype)
    placeholder.flags.writeable = False
    typed = List()
    present = np.zeros(len(columns), dtype=np.bool_)
    for j, c in enumerate(columns):
        if c is None:
            typed.append(placeholder)
        else:
            view = c.view()
            view.flags.writeable = False
            typed.append(view)
            present[j] = True
    out = np.empty((n, len(columns)), dtype=dtype)
    rows_from_columns(typed, present, out)
    return out
