/**
 * PGD, projected gradient descent (Madry et al. 2018): iterated gradient steps projected onto the budget, with random
 * starts and restarts.
 */
package org.tribuoadapt.robust.attack.pgd;
