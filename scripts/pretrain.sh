#!/usr/bin/env bash
# Rebuild the pretrained value networks that ship as package data
# (skfti/pretrained/models/{text,tabular}-v1.*; text-v2.* with FAMILIES=text2). Resumable: the population
# stores skip the children already trained, so rerun after an interruption,
# or raise N_ARCHITECTURES to add children. Hours on 2 cores; run it in the
# background:  nohup bash scripts/pretrain.sh &
#   FAMILIES="text tabular"  which collections to build (default both;
#                            text2 builds text-v2, with the MiniLM view)
#   N_ARCHITECTURES=100      children per task, the paper's sampling (each
#                            layer on with probability 1/2)
#   N_UNIFORM=100            further children per task whose number of
#                            layers is uniform in 1..7 (another plan seed),
#                            so shallow networks are as well covered
#   N_NO_HIDDEN=8            children per task without a hidden layer (the
#                            4 views, twice): the value network saw that
#                            corner too rarely and extrapolated into it
#   N_SHALLOW=92             children per task of 1, 2 or 3 layers, where
#                            the best networks are (300 per task in all)
#   FOLDS=                   tabular: hold out N groups of tasks instead of
#                            one task at a time (cheaper model selection)
#   FROM_CSV=1               first record the committed export of the
#                            experiments (docs/results/pretrained*/), so a
#                            fresh clone trains only what the export lacks
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3
N_ARCHITECTURES="${N_ARCHITECTURES:-100}"
N_UNIFORM="${N_UNIFORM:-100}"
N_NO_HIDDEN="${N_NO_HIDDEN:-8}"
N_SHALLOW="${N_SHALLOW:-92}"
FROM_CSV="${FROM_CSV:-1}"
mkdir -p results
for FAMILY in ${FAMILIES:-text tabular}; do
    STORE="results/pretrain-$FAMILY.sqlite"
    EXPORT="docs/results/pretrained$([ "$FAMILY" = text ] || echo "-$FAMILY")/experiments.csv.gz"
    RESTORE=()
    if [ "$FROM_CSV" = 1 ] && [ -f "$EXPORT" ]; then RESTORE=(--from-csv "$EXPORT"); fi
    # 1. the population: random children on every offline task of the family
    python scripts/pretrain_population.py --family "$FAMILY" --store "$STORE" \
        --n-architectures "$N_ARCHITECTURES" --n-jobs 2 "${RESTORE[@]}"
    if [ "$N_UNIFORM" -gt 0 ]; then
        python scripts/pretrain_population.py --family "$FAMILY" --store "$STORE" \
            --n-architectures "$N_UNIFORM" --plan-seed 1 --depth-sampling uniform \
            --n-jobs 2
    fi
    if [ "$N_NO_HIDDEN" -gt 0 ]; then
        python scripts/pretrain_population.py --family "$FAMILY" --store "$STORE" \
            --n-architectures "$N_NO_HIDDEN" --plan-seed 2 --depth-sampling 0 \
            --n-jobs 2
    fi
    if [ "$N_SHALLOW" -gt 0 ]; then
        python scripts/pretrain_population.py --family "$FAMILY" --store "$STORE" \
            --n-architectures "$N_SHALLOW" --plan-seed 3 --depth-sampling 1,2,3 \
            --n-jobs 2
    fi
    # 2. the experiments as compressed CSV, for audit and for extending them
    python -c "import gzip, sys; from skfti import ExperimentStore; \
ExperimentStore(sys.argv[1]).to_csv(gzip.open(sys.argv[2], 'wt'))" \
        "$STORE" "results/pretrain-$FAMILY-experiments.csv.gz"
    # 3. value-network variant chosen by held-out Spearman, its suggestions
    #    evaluated on held-out tasks, then the model written (text-v1,
    #    text-v2 for FAMILY=text2, tabular-v1)
    python scripts/pretrain_model.py --family "$FAMILY" --store "$STORE" \
        --n-jobs 2 ${FOLDS:+--folds "$FOLDS"}
done
