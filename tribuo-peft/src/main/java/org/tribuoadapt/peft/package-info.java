/**
 * Parameter-efficient fine-tuning: adapters (the LoRA family and its successors) trained on a frozen base network.
 */
package org.tribuoadapt.peft;
