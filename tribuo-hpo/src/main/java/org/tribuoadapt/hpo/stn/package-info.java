/**
 * Self-Tuning Networks (MacKay, Vicol, Lorraine, Duvenaud and Grosse 2019, "Self-Tuning Networks: Bilevel
 * Optimization of Hyperparameters using Structured Best-Response Functions", ICLR): a multilayer perceptron whose
 * linear layers ({@link org.tribuoadapt.hpo.stn.StnLinear}) approximate the best response of the weights to the
 * hyperparameters, trained by alternating weight steps on perturbed hyperparameters with hyperparameter steps on
 * validation batches, so that per-layer dropout rates and an L2 coefficient are tuned online in one training run
 * ({@link org.tribuoadapt.hpo.stn.SelfTuningTrainer}).
 */
package org.tribuoadapt.hpo.stn;
