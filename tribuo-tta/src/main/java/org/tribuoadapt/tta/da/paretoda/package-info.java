/**
 * Pareto Domain Adaptation (Lv, Liang, Gong, Li, Liu, Li, Liu and Wang 2021, "Pareto Domain Adaptation", NeurIPS):
 * unsupervised domain adaptation that updates the shared layer along a convex combination of the source
 * classification, domain alignment and target prediction gradients chosen by a Pareto direction search, steered by
 * the gradient of the target-prediction loss on held-out unlabelled target data.
 */
package org.tribuoadapt.tta.da.paretoda;
