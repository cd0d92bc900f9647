/**
 * T3A (Iwasawa and Matsuo 2021, "Test-Time Classifier Adjustment Module for Model-Agnostic Domain Generalization"):
 * class prototypes built from confident test features replace the linear classifier's weights.
 */
package org.tribuoadapt.tta.method.t3a;
