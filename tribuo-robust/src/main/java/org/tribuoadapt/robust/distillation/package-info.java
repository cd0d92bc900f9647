/**
 * Robustness by distillation (Jain et al., "Efficiently Robustify Pre-trained Models", ICCV 2023): a small, cheaply
 * robustified teacher distils its soft labels into a fraction of a larger pre-trained student.
 */
package org.tribuoadapt.robust.distillation;
