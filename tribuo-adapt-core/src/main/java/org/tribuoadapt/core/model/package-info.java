/**
 * Neural networks as Tribuo components: {@link org.tribuoadapt.core.model.NetworkTrainer} and the immutable,
 * serializable {@link org.tribuoadapt.core.model.NetworkModel}.
 */
package org.tribuoadapt.core.model;
