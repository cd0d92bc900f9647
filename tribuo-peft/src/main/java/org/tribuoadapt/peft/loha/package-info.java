/**
 * LoHa (FedPara, Hyeon-Woo et al. 2022): a Hadamard product of two low-rank weight updates.
 */
package org.tribuoadapt.peft.loha;
