/**
 * Adversarial attacks: the {@link org.tribuoadapt.robust.attack.Attack} interfaces (white-box gradient attacks on
 * differentiable classifiers, black-box attacks on any Tribuo model with probability outputs), the machinery the
 * attacks share (norms, losses, per-example runs and restarts), and the
 * {@link org.tribuoadapt.robust.attack.Attacks} registry. Each attack lives in its own sub-package (fgsm, pgd, apgd,
 * square) and registers itself through an {@link org.tribuoadapt.robust.attack.AttackProvider}.
 */
package org.tribuoadapt.robust.attack;
