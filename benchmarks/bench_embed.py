"""Throughput of the offline text embedding modules, and of the embedding cache.

Embeds a few thousand real texts (WordNet glosses, fortunes, tweets and reviews)
with each module and prints texts per second, then, for a module that runs a
model on threads (USE, MiniLM), texts per second on every thread the process
may use (:func:`skfti.task_views.embedding_threads`, what
``InferredArchitectureClassifier.fit`` embeds with) against one (the modules'
default), then the speed-up of a cached call over a first call of
:func:`skfti.embeddings.embed_cached`.

Usage::

    python benchmarks/bench_embed.py [--n-texts 3000] [--modules glove50 use512 ...]

Run ``scripts/install_data.sh`` first. The machine is shared: compare numbers
from one run only.
"""

import argparse
import tempfile
import time

import numpy as np

from skfti.datasets import load_fortune_tasks, load_review_tasks, load_wordnet_tasks
from skfti.embeddings import embed_cached, get_embedding_module
from skfti.task_views import _with_threads, embedding_threads


def real_texts(n_texts, random_state=0):
    """About ``n_texts`` real texts mixed from the three text families."""
    tasks = (
        load_wordnet_tasks(2, random_state=random_state)
        + load_fortune_tasks(2, random_state=random_state)
        + load_review_tasks(max_samples=1000, random_state=random_state)
    )
    texts = np.concatenate([task.X for task in tasks])
    rng = np.random.RandomState(random_state)
    picks = rng.choice(len(texts), min(n_texts, len(texts)), replace=False)
    return texts[picks].tolist()


def best_of(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=3000)
    parser.add_argument(
        "--modules",
        nargs="+",
        default=["glove50", "use512", "minilm384", "hashed256"],
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    texts = real_texts(args.n_texts)
    n_chars = np.mean([len(text) for text in texts])
    print(f"{len(texts)} texts, {n_chars:.0f} characters on average\n")
    n_threads = embedding_threads()
    header = (
        f"{'module':<10} {'dim':>4} {'load s':>7} {'texts/s':>9} "
        f"{f'on {n_threads} thr.':>11} {'ratio':>6} "
        f"{'1st cached s':>13} {'2nd cached s':>13} {'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for name in args.modules:
        module = get_embedding_module(name)
        start = time.perf_counter()
        module.embed(texts[:8])  # loads weights lazily
        load = time.perf_counter() - start
        repeat = 1 if name.startswith(("use", "minilm")) else args.repeat
        seconds = best_of(lambda m=module: m.embed(texts), repeat)
        threaded, ratio = "-", "-"
        if hasattr(module, "n_threads") and n_threads > 1:
            many = _with_threads(module, n_threads)
            many.embed(texts[:8])
            faster = best_of(lambda m=many: m.embed(texts), repeat)
            threaded = f"{len(texts) / faster:.0f}"
            ratio = f"{seconds / faster:.2f}x"
        with tempfile.TemporaryDirectory() as cache_dir:
            start = time.perf_counter()
            embed_cached(module, texts, cache_dir=cache_dir)
            first = time.perf_counter() - start
            second = best_of(
                lambda m=module, d=cache_dir: embed_cached(m, texts, cache_dir=d),
                args.repeat,
            )
        print(
            f"{name:<10} {module.output_dim:>4} {load:>7.2f} "
            f"{len(texts) / seconds:>9.0f} {threaded:>11} {ratio:>6} "
            f"{first:>13.3f} {second:>13.4f} "
            f"{first / second:>8.0f}x"
        )


if __name__ == "__main__":
    main()
