#!/usr/bin/env bash
# Reproduce docs/results.md: a population of 150 children on each of 12 text
# tasks (WordNet, fortunes, reviews), then the leave-one-task-out evaluation.
# Resumable: rerunning skips the children already in the store.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p results
export TF_CPP_MIN_LOG_LEVEL=3
time skfti populate --family text --n-tasks 12 --n-architectures 150 \
    --learning-rate 1e-3 --store results/text.sqlite --n-jobs 2 --seed 0
time skfti evaluate --family text --n-tasks 12 --learning-rate 1e-3 \
    --store results/text.sqlite --n-seeds 3 --n-rl 10 --n-random 10 \
    --n-jobs 2 --seed 0 --output-dir docs/results
