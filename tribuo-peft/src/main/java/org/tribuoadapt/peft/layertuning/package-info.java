/**
 * Layer tuning: fine-tuning the whole weight and bias of chosen Linear and Conv2d layers, such as the head only.
 */
package org.tribuoadapt.peft.layertuning;
