/**
 * Prompt tuning (Lester et al. 2021): learned virtual tokens prepended to the token sequence a Transformer's blocks
 * read.
 */
package org.tribuoadapt.peft.prompt;
