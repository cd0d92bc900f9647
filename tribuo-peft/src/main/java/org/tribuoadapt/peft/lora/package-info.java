/**
 * LoRA (Hu et al. 2021) with rsLoRA, DoRA, rank and alpha patterns, dropout and PiSSA initialisation, on Linear and Conv2d layers.
 */
package org.tribuoadapt.peft.lora;
