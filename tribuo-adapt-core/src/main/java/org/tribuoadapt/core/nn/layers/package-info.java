/**
 * The layers networks are built from: Linear, Conv2d, BatchNorm, LayerNorm, pooling, dropout, attention and the
 * Transformer encoder block, each with PyTorch's parameter names, layouts and default initialisation.
 */
package org.tribuoadapt.core.nn.layers;
