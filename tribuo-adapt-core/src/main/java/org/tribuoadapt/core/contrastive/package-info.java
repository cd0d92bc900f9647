/**
 * Self-supervised contrastive pre-training: SogCLR's global contrastive loss with a moving-average estimate of each
 * anchor's negative term (Yuan et al. 2022) and iSogCLR's individual, learned temperatures (Qiu et al. 2023), the
 * random views it contrasts, and the trainer that turns the pre-trained encoder into a {@code NetworkModel} with a
 * fresh classification head.
 */
package org.tribuoadapt.core.contrastive;
