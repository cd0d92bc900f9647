/**
 * Training machinery shared by every trainer: the minibatch loop, objectives, optimisers (SGD, Adam, AdamW) behind
 * the pluggable {@link org.tribuoadapt.core.train.OptimiserFactory}, gradient clipping and training history.
 */
package org.tribuoadapt.core.train;
