"""The interface shared by all text embedding modules."""

import importlib.metadata
from abc import ABC, abstractmethod

import numpy as np

from skfti._hashing import hash_config


def installed_version(distribution):
    """The installed version of a pip distribution, or ``"not installed"``.

    Part of a module's :meth:`~EmbeddingModule.get_config` where its weights
    come from a package, so that another release of the weights never reads
    the vectors its predecessor cached. Reads the package's metadata only;
    nothing is imported.
    """
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def check_texts(texts) -> list:
    """Return ``texts`` as a list of str, raising ``ValueError`` otherwise."""
    if isinstance(texts, str):
        raise ValueError("texts must be a sequence of str, got a single str.")
    if isinstance(texts, np.ndarray):
        texts = texts.tolist()
    texts = list(texts)
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(
                f"texts must be a sequence of str; element {position} is a "
                f"{type(text).__name__}."
            )
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"texts must be text that UTF-8 can write; element {position} "
                    f"holds {exc.object[exc.start : exc.end]!r} ({exc.reason}): "
                    "a broken character, e.g. from bytes decoded with "
                    "errors='surrogateescape'."
                ) from None
    return texts


class EmbeddingModule(ABC):
    """Base class of text embedding modules: a fixed map from str to a vector.

    An embedding module plays the role of a pre-trained TF Hub module in the
    paper (Section 3.4): it turns each text into a fixed-width float vector, so
    that tasks from different sources share one feature space. It is not
    trained; several of them are the candidates of the embedding choice.

    Subclasses set :attr:`name` and :attr:`output_dim` and implement
    :meth:`embed`; they override :meth:`get_config` when their output depends on
    more than their name.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"glove50"``.
    output_dim : int
        Width of the vectors returned by :meth:`embed`.

    See Also
    --------
    embed_cached : Embed with an on-disk cache.
    get_embedding_module : Resolve a short name to a module.
    """

    name = None
    output_dim = None

    @abstractmethod
    def embed(self, texts):
        """Embed texts.

        Parameters
        ----------
        texts : sequence of str
            The texts.

        Returns
        -------
        embeddings : ndarray of shape (len(texts), output_dim), dtype float32
            One row per text.
        """

    def get_config(self):
        """Return the settings that determine the output, as a JSON-able dict."""
        return {"class": type(self).__name__, "name": self.name}

    @property
    def cache_key(self):
        """Identity of the module for caches: name plus a config fingerprint, str."""
        return f"{self.name}-{hash_config(self.get_config())[:16]}"

    def __repr__(self):
        return (
            f"{type(self).__name__}(name={self.name!r}, output_dim={self.output_dim})"
        )

    def _empty(self):
        return np.zeros((0, self.output_dim), dtype=np.float32)
