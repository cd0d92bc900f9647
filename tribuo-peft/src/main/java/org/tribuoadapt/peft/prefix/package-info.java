/**
 * Prefix tuning (Li and Liang 2021): learned key and value prefixes in every attention layer of a Transformer.
 */
package org.tribuoadapt.peft.prefix;
