/**
 * Adversarial attacks: white-box gradient attacks (FGSM, PGD, APGD-CE) on differentiable classifiers and the
 * black-box Square attack on any Tribuo model with probability outputs.
 */
package org.tribuoadapt.robust.attack;
