"""scikit-learn's estimator API checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skfti import ArchitectureEncoding, RelaxedFFNNClassifier, SearchSpace

SMALL = SearchSpace(n_layers=2, widths=(16, 32))


def _estimators():
    discrete = ArchitectureEncoding.random_one_hot(SMALL, random_state=0)
    yield RelaxedFFNNClassifier(discrete, epochs=10, learning_rate=1e-2, random_state=0)
    yield RelaxedFFNNClassifier(
        search_space=SMALL, epochs=10, learning_rate=1e-2, random_state=0
    )


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
