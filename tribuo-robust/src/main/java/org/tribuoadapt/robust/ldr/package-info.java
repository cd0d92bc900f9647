/**
 * Label-distributionally robust losses (Zhu, Ying and Yang 2023): training objectives that take the worst case over
 * weights on the labels, robust to noisy labels, for any {@code NetworkTrainer}.
 */
package org.tribuoadapt.robust.ldr;
