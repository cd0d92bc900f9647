/**
 * Weight updates made of two frozen factors around a trainable diagonal, the form SVFit and LoLDU share.
 */
package org.tribuoadapt.peft.factored;
