/**
 * LoKr (Yeh et al. 2024): a Kronecker-product weight update, the adapter DiffuseKronA also uses.
 */
package org.tribuoadapt.peft.lokr;
