"""scikit-learn's estimator API checks on every public estimator."""

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfti import (
    ArchitectureEncoding,
    ArchitectureInferrer,
    InferredArchitectureClassifier,
    RelaxedFFNNClassifier,
    SearchSpace,
)
from skfti.datasets import make_task_family
from skfti.embeddings import TabularFeatureMap

SMALL = SearchSpace(n_layers=2, widths=(16, 32))


def _fitted_inferrer():
    """An inferrer for the API checks: it maps any numeric width to 4 features.

    Its experiments carry random scores: the checks test the estimator API,
    not the quality of the suggestions (tests/test_inferrer.py does).
    """
    tasks = make_task_family(3, n_samples=60, n_features=6, random_state=0)
    rng = np.random.RandomState(0)
    experiments = [
        (
            np.array(
                [ArchitectureEncoding.random_one_hot(SMALL, rng).to_vector()] * 1
                + [ArchitectureEncoding.random_one_hot(SMALL, rng).to_vector()]
            ),
            rng.uniform(0.5, 1.0, 2),
        )
        for _ in tasks
    ]
    inferrer = ArchitectureInferrer(
        search_space=SMALL,
        feature_map=TabularFeatureMap(output_dim=4, random_state=0),
        n_steps=20,
        max_iter=20,
        random_state=0,
    )
    return inferrer.fit(tasks, experiments)


def _estimators():
    # Every child-training setting at its default (issue: defaults that work).
    yield RelaxedFFNNClassifier()
    yield RelaxedFFNNClassifier(ArchitectureEncoding.random_one_hot(SMALL, 0))
    yield InferredArchitectureClassifier(n_candidates=1)  # the shipped tabular-v1
    yield InferredArchitectureClassifier(FrozenEstimator(_fitted_inferrer()))
    yield InferredArchitectureClassifier(
        FrozenEstimator(_fitted_inferrer()), n_candidates=1
    )


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
