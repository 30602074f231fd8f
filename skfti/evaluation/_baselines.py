"""Architecture-search baselines that train children on the held-out task.

- :func:`reinforce_search`: an RL-based NAS controller after Zoph & Le
  (2017), trained with REINFORCE over the same search space as the value
  network. The controller is a factorized policy (one softmax per choice:
  the base layer and the gate of each parametrized layer, and the input
  view) rather than Zoph & Le's RNN; the reward is the child's validation
  accuracy, with an exponential moving-average baseline.
- :func:`random_search`: best of ``n`` random one-hot children.

Both train children with exactly the recipe of the population
(:func:`skfti.child_training.train_network`), report the test accuracy of
the child with the best validation accuracy, and count the children they
trained on the task.
"""

import numpy as np
from sklearn.utils import check_random_state

from skfti.child_recipe import check_settings
from skfti.encoding import ArchitectureEncoding, _one_hot
from skfti.population import train_on_task

__all__ = ["random_search", "reinforce_search"]

from skfti._seeds import SEED_MAX as _SEED_MAX


def _best(history):
    ok = [h for h in history if h["status"] == "ok"]
    if not ok:
        raise RuntimeError("every child failed to train")
    best = max(ok, key=lambda h: h["val_accuracy"])
    return {
        "encoding": best["encoding"],
        "val_accuracy": best["val_accuracy"],
        "test_accuracy": best["test_accuracy"],
        "n_trained": len(history),
        "history": history,
    }


def random_search(data, search_space, n_children, settings, random_state=None):
    """Train ``n_children`` random one-hot children; keep the best by validation.

    ``data`` is ``(views, y, splits, n_classes)`` of one task (see
    :func:`skfti.population.task_views`), ``settings`` the child training
    settings (see :data:`skfti.child_recipe.RECIPE_SETTINGS`; missing keys
    take the recipe's defaults).
    """
    rng = check_random_state(random_state)
    settings = check_settings(settings, text=not search_space.is_numeric)
    history = []
    for _ in range(n_children):
        encoding = ArchitectureEncoding.random_one_hot(search_space, rng)
        result = train_on_task(data, encoding, int(rng.randint(_SEED_MAX)), settings)
        history.append({**result, "encoding": encoding})
    return _best(history)


def reinforce_search(
    data,
    search_space,
    n_children,
    settings,
    *,
    learning_rate=0.2,
    baseline_decay=0.8,
    random_state=None,
):
    """REINFORCE over the search space's choices, ``n_children`` trainings.

    Returns the best child by validation accuracy (its test accuracy), the
    number of children trained, and the history of samples and rewards.
    ``settings`` as in :func:`random_search`.
    """
    rng = check_random_state(random_state)
    settings = check_settings(settings, text=not search_space.is_numeric)
    s = search_space
    logits = {
        "alpha": np.zeros((s.n_layers, s.n_base)),
        "beta": np.zeros((s.n_layers, 2)),
        "gamma": np.zeros((1, s.n_views)),
    }
    baseline = None
    history = []
    for _ in range(n_children):
        choice, probs = {}, {}
        for name, lg in logits.items():
            p = np.exp(lg - lg.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            probs[name] = p
            choice[name] = np.array([rng.choice(len(row), p=row) for row in p])
        encoding = ArchitectureEncoding(
            s,
            _one_hot(choice["alpha"], s.n_base),
            _one_hot(choice["beta"], 2),
            _one_hot(choice["gamma"], s.n_views)[0],
        )
        result = train_on_task(data, encoding, int(rng.randint(_SEED_MAX)), settings)
        history.append({**result, "encoding": encoding})
        reward = result["val_accuracy"] if result["status"] == "ok" else 0.0
        baseline = (
            reward
            if baseline is None
            else (baseline_decay * baseline + (1 - baseline_decay) * reward)
        )
        advantage = reward - baseline
        for name, lg in logits.items():
            # gradient of log softmax at the sampled choice: one_hot - p
            grad = -probs[name]
            grad[np.arange(len(grad)), choice[name]] += 1.0
            lg += learning_rate * advantage * grad
    return _best(history)
