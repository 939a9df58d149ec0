package io.sparkgrad.spark;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * The settings of full-batch L-BFGS training (OWL-QN when {@code l1 > 0}), set with
 * {@link TrainerBuilder#lbfgs} or {@link TrainerBuilder#owlqn}. The
 * minimiser is Breeze's {@code breeze.optimize.LBFGS} / {@code OWLQN}, the ones MLlib's
 * {@code LogisticRegression} uses, with Breeze's default convergence check: stop after
 * {@code maxIter} iterations, when the objective changed by at most {@code tolerance} times its
 * initial value over the last 20 iterations, when the gradient norm is at most
 * {@code max(tolerance * |objective|, 1e-8)}, or when the line search failed twice in a row.
 * Each evaluation of the objective is one {@link LossFunction#calculate} over every row: one
 * broadcast and one tree-reduced pass.
 *
 * @param maxIter   the most iterations (>= 1), MLlib's {@code maxIter}
 * @param memory    the number of correction pairs kept (>= 1), MLlib uses 10
 * @param tolerance the convergence tolerance (>= 0), MLlib's {@code tol}
 * @param l1        the L1 penalty's lambda (0: plain L-BFGS; > 0: OWL-QN, which adds
 *                  {@code l1 * sum_{selected} |p|} to the objective)
 * @param l1Params  which parameter names the L1 penalty covers (as in {@code Cell.trainableParamNames()})
 */
public record Lbfgs(int maxIter, int memory, double tolerance, double l1, Predicate<String> l1Params) {
    public Lbfgs {
        Objects.requireNonNull(l1Params, "l1Params");
        if (maxIter < 1 || memory < 1 || !(tolerance >= 0) || !(l1 >= 0 && Double.isFinite(l1))) {
            throw new IllegalArgumentException("L-BFGS max iterations " + maxIter + ", memory " + memory + ", tolerance "
                    + tolerance + ", l1 lambda " + l1 + ": a value is out of range (need maxIter >= 1, memory >= 1, "
                    + "tolerance >= 0, l1 >= 0 and finite)");
        }
    }

    /** Plain L-BFGS: no L1 term. */
    public static Lbfgs of(int maxIter, int memory, double tolerance) {
        return new Lbfgs(maxIter, memory, tolerance, 0, name -> false);
    }

    /** Whether this is OWL-QN (an L1 term). */
    public boolean owlqn() {
        return l1 > 0;
    }

    /** The kind stored in checkpoints: {@code LBFGS} or {@code OWLQN}. */
    public String kind() {
        return owlqn() ? "OWLQN" : "LBFGS";
    }
}
