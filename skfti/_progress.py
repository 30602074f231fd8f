"""Progress bars (tqdm) of the long loops, shown at ``verbose >= 1``.

Two context managers: :func:`progress_bar` counts items (children trained,
tasks done) and :func:`loss_bar` follows a training loss over steps. Both give
``None`` below ``verbose=1``, so a loop writes ``if bar is not None``.
"""

from contextlib import contextmanager

__all__ = ["loss_bar", "progress_bar"]


@contextmanager
def progress_bar(total, verbose, *, desc, unit="it", smoothing=0.1):
    """A counting tqdm bar at ``verbose >= 1``, else ``None``; closed on exit.

    Parameters
    ----------
    total : int
        Number of items.
    verbose : int
        Below 1 no bar is made and the context gives ``None``.
    desc : str
        Label in front of the bar.
    unit : str, default="it"
        Name of one item.
    smoothing : float, default=0.1
        tqdm's moving-average factor of the rate.

    Yields
    ------
    bar : tqdm or None
        Call ``bar.update(1)`` per item; ``bar.set_postfix`` adds a field.
    """
    if verbose < 1:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, smoothing=smoothing)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def loss_bar(total, verbose, *, desc="value network", unit="step"):
    """A bar of training steps showing the loss at ``verbose >= 1``, else ``None``.

    Parameters
    ----------
    total : int
        Number of training steps.
    verbose : int
        Below 1 no bar is made and the context gives ``None``.
    desc : str, default="value network"
        Label in front of the bar.
    unit : str, default="step"
        Name of one step.

    Yields
    ------
    update : callable or None
        ``update(step, loss)`` moves the bar to ``step`` (capped at
        ``total``) and shows ``loss`` with four decimals.
    """
    if verbose < 1:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit)

    def update(step, loss):
        bar.update(min(step, total) - bar.n)
        bar.set_postfix(loss=f"{loss:.4f}")

    try:
        yield update
    finally:
        bar.close()
