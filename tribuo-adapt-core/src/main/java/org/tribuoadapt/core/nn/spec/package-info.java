/**
 * Configurable network architectures (MLP, CNN with BatchNorm, Transformer encoder) that build networks with
 * stable, PyTorch-style layer names.
 */
package org.tribuoadapt.core.nn.spec;
