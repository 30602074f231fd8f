"""An embedding module that puts other modules' outputs side by side."""

import numpy as np

from skfti.embeddings._base import EmbeddingModule, check_texts

SEPARATOR = "+"


class ConcatenatedEmbedding(EmbeddingModule):
    """The outputs of several embedding modules, side by side.

    As a view of a :class:`~skfti.SearchSpace` it lets a child network see
    every feature of its parts at once, where the embedding choice (gamma)
    otherwise picks, or mixes by a weighted sum, one module's output. Each
    part is embedded through :func:`~skfti.embeddings.embed_cached`, so a
    part shared with another view is computed once.

    Parameters
    ----------
    modules : list of EmbeddingModule
        The parts, in order (at least two, distinct names without ``"+"``).

    Attributes
    ----------
    name : str
        The parts' names joined by ``"+"``, e.g. ``"glove50+use512"``: what
        :func:`~skfti.embeddings.get_embedding_module` resolves.
    output_dim : int
        The sum of the parts' widths.

    Examples
    --------
    >>> from skfti.embeddings import get_embedding_module
    >>> module = get_embedding_module("hashed8+hashed16")
    >>> module.name, module.output_dim
    ('hashed8+hashed16', 24)
    >>> module.embed(["a text"]).shape
    (1, 24)
    """

    def __init__(self, modules):
        modules = list(modules)
        names = [str(m.name) for m in modules]
        if len(modules) < 2:
            raise ValueError(
                f"ConcatenatedEmbedding needs at least two modules, got {names}"
            )
        if len(set(names)) != len(names) or any(SEPARATOR in n for n in names):
            raise ValueError(
                f"ConcatenatedEmbedding needs distinct parts without {SEPARATOR!r} "
                f"in their names, got {names}"
            )
        self.modules = modules
        self.name = SEPARATOR.join(names)
        self.output_dim = int(sum(int(m.output_dim) for m in modules))

    @property
    def cached_parts(self):
        """The parts, which :func:`~skfti.embeddings.embed_cached` caches one
        by one (the concatenation is not stored a second time)."""
        return self.modules

    def embed(self, texts):
        from skfti.embeddings._cache import embed_cached

        texts = check_texts(texts)
        if not texts:
            return self._empty()
        return np.hstack(
            [np.asarray(embed_cached(m, texts), dtype=np.float32) for m in self.modules]
        )

    def get_config(self):
        return {
            "class": "ConcatenatedEmbedding",
            "name": self.name,
            "parts": [m.get_config() for m in self.modules],
        }
