"""How an :class:`~skfti.ArchitectureInferrer` sees a task.

A task's samples in the common feature space (texts embedded by the search
space's views, numbers standardized and mapped by ``feature_map``), the
training tasks' precomputed meta-features and their normalization, and the
meta-features z of a task as the fitted network reads them. Without
meta-features a task's texts are checked and not embedded: the network
reads nothing of them.
"""

import numpy as np

from skfti._inferrer_data import (
    common_width,
    meta_normalization,
    raw_meta_features,
    task_samples,
    task_xy,
)

__all__ = ["TaskViewMixin"]


class TaskViewMixin:
    """Task views of an inferrer: its samples, meta-features and z.

    Reads the parameters ``meta_features``, ``embedding_modules`` and
    ``feature_map``; after ``fit``, ``search_space_``, ``n_features_in_``,
    ``meta_mean_`` / ``meta_scale_`` and the NumPy network.
    """

    @property
    def _learned(self):
        return self.meta_features in ("learned", "both")

    @property
    def _precomputed(self):
        return self.meta_features in ("precomputed", "both")

    def _task_samples(self, task_or_Xy, space, check_width=True, embed=True):
        """``(features, class indices, n_classes)`` of one task's samples."""
        X, y = task_xy(task_or_Xy)
        return task_samples(
            X,
            y,
            space,
            embedding_modules=self.embedding_modules,
            feature_map=self.feature_map,
            n_features_in=self.n_features_in_ if check_width else None,
            embed=embed,
        )

    def _prepare_tasks(self, tasks, space):
        """Samples of every task, ``n_features_in_`` and the meta-features."""
        samples = [self._task_samples(t, space, check_width=False) for t in tasks]
        self.n_features_in_ = common_width(samples)
        if not self._precomputed:
            return samples, np.zeros((len(tasks), 0))
        raw = np.array([raw_meta_features(f, y) for f, y, _ in samples])
        self.meta_mean_, self.meta_scale_ = meta_normalization(raw)
        return samples, (raw - self.meta_mean_) / self.meta_scale_

    def _z(self, task_or_Xy):
        """The task's meta-features z as the network sees them (or None).

        Without meta-features the samples are checked, and texts not embedded.
        """
        features, y_idx, n_classes = self._task_samples(
            task_or_Xy,
            self.search_space_,
            embed=self._learned or self._precomputed,
        )
        meta = None
        if self._precomputed:
            meta = (
                raw_meta_features(features, y_idx) - self.meta_mean_
            ) / self.meta_scale_
        return self._numpy_network().meta(features, y_idx, n_classes, meta)
