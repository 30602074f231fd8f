"""Give a shipped ranking-loss model its value scale, without refitting it.

Models saved before ``ArchitectureInferrer`` put its predictions in the unit
of normalized accuracy (``value_scale_``, ``reference_encodings_``) return
the ranking network's raw scores. This loads such a model, restores the
experiments it was fitted on from the committed export, checks them against
the model's provenance (task names, child settings and the experiments'
SHA-256), fits the scale as ``fit`` now does (with a fresh
``RandomState(random_state)`` for the reference draw) and writes the model
back. Weights, parameters and provenance are unchanged; the provenance
records the step.

    python scripts/scale_pretrained.py tabular-v1 --family tabular \\
        --csv docs/results/pretrained-tabular/experiments.csv.gz
"""

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pretrain_model import experiments_digest  # noqa: E402
from pretrain_population import pretraining_collection, restore  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

import skfti.pretrained  # noqa: E402
from skfti import ExperimentStore  # noqa: E402
from skfti._inferrer_calibration import set_value_scale  # noqa: E402
from skfti._inferrer_data import check_experiments  # noqa: E402
from skfti._inferrer_search import canonical_rows  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="a shipped model, e.g. tabular-v1")
    parser.add_argument("--family", choices=("text", "tabular"), required=True)
    parser.add_argument("--csv", required=True, help="the model's experiments export")
    args = parser.parse_args()
    model = skfti.pretrained.load(args.name)
    if model.loss != "ranking":
        raise SystemExit(f"{args.name}: loss={model.loss!r} needs no value scale")
    provenance = model.provenance_
    tasks, space = pretraining_collection(args.family)
    by_name = {t.name: t for t in tasks}
    tasks = [by_name[name] for name in provenance["trained_on"]]
    with tempfile.TemporaryDirectory() as tmp:
        location = Path(tmp) / "store.sqlite"
        restore(location, tasks, space, args.csv)
        experiments = ExperimentStore(location).experiments(
            tasks, settings=provenance["child_settings"]
        )
    digest = experiments_digest(tasks, experiments)
    if digest != provenance["experiments_sha256"]:
        raise SystemExit(f"{args.csv} is not what {args.name} was fitted on")
    U, V = check_experiments(tasks, experiments, model.search_space_)
    if model.canonical_encodings:
        U = [canonical_rows(u, model.search_space_) for u in U]
    Z = [model._z(task) for task in tasks]
    set_value_scale(model, Z, U, V, check_random_state(model.random_state))
    provenance["value_scale"] = (
        f"added by scripts/scale_pretrained.py on {datetime.date.today()}"
    )
    skfti.pretrained.save(model, args.name, provenance=provenance)
    print(f"{args.name}: value_scale_ {model.value_scale_:.4f}")


if __name__ == "__main__":
    main()
