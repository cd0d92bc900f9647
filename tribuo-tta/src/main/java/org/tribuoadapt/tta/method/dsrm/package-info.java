/**
 * Domain-specific risk minimisation (Zhang et al. 2023, "Domain-Specific Risk Minimization for Domain
 * Generalization", KDD): one classifier head per source domain over shared features, and at test time the heads
 * are steered towards the one whose estimated risk on the arriving batch is lowest.
 */
package org.tribuoadapt.tta.method.dsrm;
