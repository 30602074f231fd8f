"""Embedding modules: fixed maps from raw samples into a shared feature space.

Text modules (:class:`EmbeddingModule` subclasses) stand in for the TF Hub
modules of the paper; :class:`TabularFeatureMap` does the same for numeric
tasks. TensorFlow is imported only by :class:`HubEmbedding` and
:func:`export_hub_module`, when used.
"""

from skfti.embeddings._base import EmbeddingModule
from skfti.embeddings._cache import embed_cached, get_cache_dir
from skfti.embeddings._concat import ConcatenatedEmbedding
from skfti.embeddings._glove import GloVeEmbedding, WordVectorEmbedding
from skfti.embeddings._hashed import HashedNGramEmbedding
from skfti.embeddings._hub import HubEmbedding, export_hub_module
from skfti.embeddings._minilm import MiniLMEmbedding
from skfti.embeddings._registry import get_embedding_module
from skfti.embeddings._tabular import TabularFeatureMap
from skfti.embeddings._use import UniversalSentenceEncoder

__all__ = [
    "ConcatenatedEmbedding",
    "EmbeddingModule",
    "GloVeEmbedding",
    "HashedNGramEmbedding",
    "HubEmbedding",
    "MiniLMEmbedding",
    "TabularFeatureMap",
    "UniversalSentenceEncoder",
    "WordVectorEmbedding",
    "embed_cached",
    "export_hub_module",
    "get_cache_dir",
    "get_embedding_module",
]
