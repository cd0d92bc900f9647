/**
 * LT-SFT (Ansell et al. 2022): composable sparse fine-tuning, a two-phase lottery-ticket procedure that produces sparse
 * parameter differences which compose by addition.
 */
package org.tribuoadapt.peft.ltsft;
