"""Text normalisation and word tokenization shared by numpy and TensorFlow code.

The same regular expressions run in Python (:mod:`re`) and in TensorFlow
(``tf.strings.regex_replace``, RE2), so that a module exported with
:func:`skfti.embeddings.export_hub_module` tokenizes exactly as its numpy twin.
Only ASCII letters are lowercased (``tf.strings.lower`` without encoding);
every character other than ``a-z``, ``0-9`` and ``'`` separates tokens;
``n't`` and the clitics ``'s 're 've 'm 'll 'd`` become tokens of their own, as
in GloVe's vocabulary.
"""

import re

from skfti._tf import import_tensorflow

# (pattern, replacement) pairs applied in order after ASCII lowercasing.
# Non-ASCII characters go first, so that ``\b`` means the same in both engines.
TOKEN_RULES = (
    (r"[^a-z0-9']+", " "),
    (r"n't\b", " n't "),
    (r"'(s|re|ve|m|ll|d)\b", " '\\1 "),
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_COMPILED = tuple(
    (re.compile(pattern, re.ASCII), repl) for pattern, repl in TOKEN_RULES
)


def tokenize(text: str) -> list:
    """Split one text into lowercase word tokens.

    Examples
    --------
    >>> from skfti.embeddings._text import tokenize
    >>> tokenize("Don't PANIC: it's 42-ish!")
    ['do', "n't", 'panic', 'it', "'s", '42', 'ish']
    """
    text = text.translate(_ASCII_LOWER)
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text.split()


def tf_tokenize(texts):
    """TensorFlow twin of :func:`tokenize` for a 1-D string tensor (ragged output)."""
    tf = import_tensorflow()

    texts = tf.strings.lower(texts)
    for pattern, repl in TOKEN_RULES:
        texts = tf.strings.regex_replace(texts, pattern, repl)
    return tf.strings.split(texts)
