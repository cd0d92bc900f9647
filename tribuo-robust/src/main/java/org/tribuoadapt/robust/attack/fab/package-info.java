/**
 * FAB-T, the targeted Fast Adaptive Boundary attack of AutoAttack (Croce and Hein 2020): minimal-norm adversarial
 * examples by projections onto the linearised decision boundary intersected with the input box.
 */
package org.tribuoadapt.robust.attack.fab;
