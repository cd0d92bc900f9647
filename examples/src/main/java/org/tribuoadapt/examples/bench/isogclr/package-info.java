/**
 * {@code bench isogclr}: contrastive pre-training (SogCLR and iSogCLR) judged by a linear probe.
 */
package org.tribuoadapt.examples.bench.isogclr;
