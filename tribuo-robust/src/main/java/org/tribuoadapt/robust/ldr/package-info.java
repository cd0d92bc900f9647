/**
 * Label-distributionally robust losses (Zhu, Ying and Yang 2023): training objectives that take the worst case over
 * weights on the labels, robust to noisy labels, for any {@code NetworkTrainer}: LDR-KL with a fixed lambda and
 * ALDR-KL with a lambda adapted to each example.
 */
package org.tribuoadapt.robust.ldr;
