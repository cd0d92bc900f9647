/**
 * Parameter-efficient fine-tuning: the adapter framework (targeting, freezing, merging, saving written once, as in
 * Hugging Face PEFT's base tuner), {@link org.tribuoadapt.peft.PeftTrainer} and {@link org.tribuoadapt.peft.PeftModel}.
 */
package org.tribuoadapt.peft;
