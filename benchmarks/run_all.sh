#!/bin/bash
# Runs ours and torch's benchmarks one after another (never concurrently), logging load averages.
# Usage: benchmarks/run_all.sh OUTDIR   (from the repo root, after building benchmarks.jar)
OUT=$1
mkdir -p $OUT
/usr/bin/python3 -c "import sys; sys.path.insert(0, '/work/shared/bench/torch'); import torch, blasinfo; torch.ones(8, 8) @ torch.ones(8, 8); print('torch blas:', blasinfo.describe())" > $OUT/torch_blas.txt 2>&1
cd /work/wt-bench
J="java -jar benchmarks/target/benchmarks.jar"
log() { echo "=== $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg) :: $*" | tee -a $OUT/timeline.txt; }
log "env OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE OPENBLAS_L2_SIZE=$OPENBLAS_L2_SIZE"
log MatmulBench;  $J MatmulBench  -rf json -rff $OUT/matmul.json > $OUT/matmul.txt 2>&1
log torch gemm;   /usr/bin/python3 /work/shared/bench/torch/gemm_bench.py --lib torch > $OUT/torch_gemm.txt 2>&1
log MlpStepBench; $J MlpStepBench -rf json -rff $OUT/mlp.json > $OUT/mlp.txt 2>&1
log torch train;  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 /work/shared/bench/torch/train_bench.py --configs 1:1,1:2,2:2 > $OUT/torch_train.txt 2>&1
log TinyOpsBench; $J TinyOpsBench -rf json -rff $OUT/tiny.json > $OUT/tiny.txt 2>&1
log ElementwiseBench; $J ElementwiseBench -rf json -rff $OUT/elementwise.json > $OUT/elementwise.txt 2>&1
log torch tiny same chain; /usr/bin/python3 benchmarks/torch/tiny_chain_same.py > $OUT/torch_tiny_same.txt 2>&1
log torch tiny;   /usr/bin/python3 /work/shared/bench/torch/tiny_ops_bench.py > $OUT/torch_tiny.txt 2>&1
log "OPENBLAS env unset (both together, this command only): MatmulBench n=1024 and torch gemm 1024"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $J MatmulBench -p n=1024 -p backend=openblas-1t,openblas-1t-offheap -rf json -rff $OUT/matmul_env_unset.json > $OUT/matmul_env_unset.txt 2>&1
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 /work/shared/bench/torch/gemm_bench.py --lib torch --sizes 1024 --threads 1,2 > $OUT/torch_gemm_env_unset.txt 2>&1
log done
