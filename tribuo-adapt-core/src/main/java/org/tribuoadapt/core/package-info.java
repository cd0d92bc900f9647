/**
 * The shared foundation of Tribuo Adapt: neural networks on DJL's PyTorch engine as Tribuo trainers and models.
 */
package org.tribuoadapt.core;
