/**
 * APGD-T, the targeted Auto-PGD of AutoAttack (Croce and Hein 2020): APGD with the targeted difference-of-logits-ratio
 * loss against each of the most likely wrong classes in turn.
 */
package org.tribuoadapt.robust.attack.apgdt;
